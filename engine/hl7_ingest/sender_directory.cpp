#include "engine/hl7_ingest/sender_directory.h"

#include <algorithm>

namespace sundial::engine {

SenderDirectory::SenderDirectory(const std::vector<config::SiteConfig>& sites) {
  for (const config::SiteConfig& site : sites) {
    for (const config::Hl7SenderConfig& sender : site.hl7.senders) {
      entries_.push_back(Entry{sender.application, sender.facility, site.name});
    }
  }
  // Entries naming both fields first, so that a wildcard never shadows an exact entry.
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    const int a_named = !a.application.empty() + !a.facility.empty();
    const int b_named = !b.application.empty() + !b.facility.empty();
    return a_named > b_named;
  });
}

std::optional<std::string> SenderDirectory::siteFor(std::string_view application,
                                                    std::string_view facility) const {
  for (const Entry& entry : entries_) {
    const bool application_matches = entry.application.empty() || entry.application == application;
    const bool facility_matches = entry.facility.empty() || entry.facility == facility;
    if (application_matches && facility_matches) return entry.site;
  }
  return std::nullopt;
}

}  // namespace sundial::engine
