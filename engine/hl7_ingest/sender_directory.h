#pragma once
// SenderDirectory: which configured site an HL7 message comes from, by MSH-3 (sending
// application) and MSH-4 (sending facility) as each site lists them under `hl7.senders`.
// Built once from the configuration; immutable, so any thread may ask.
//
// Values are compared exactly as sent (first component, escapes decoded): HL7 namespace
// ids are codes, and guessing at case or spaces could hand one site's orders to another.
// A sender entry with an empty application matches every application of its facility; an
// entry naming both wins over one naming the facility only, whatever the order of sites.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config/config.h"

namespace sundial::engine {

class SenderDirectory {
 public:
  explicit SenderDirectory(const std::vector<config::SiteConfig>& sites);

  // The site's name, or nullopt when no site lists this sender.
  std::optional<std::string> siteFor(std::string_view application,
                                     std::string_view facility) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string application;  // empty: any
    std::string facility;     // empty: any
    std::string site;
  };
  std::vector<Entry> entries_;  // most specific first
};

}  // namespace sundial::engine
