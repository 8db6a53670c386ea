#pragma once
// The HL7 listener (top-level `hl7:`) and how a site is recognised in HL7 (site `hl7:`).
// Loaded by hl7_config.cpp.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sundial::config {

struct Hl7Config {
  bool enabled = true;  // false when the configuration has no `hl7:` section
  std::string bind = "0.0.0.0";
  std::uint16_t port = 2575;
  std::size_t max_message_bytes = 1u << 20;
  std::chrono::milliseconds idle_timeout{300000};
  int max_connections = 256;
  // Threads that read connections and wait for the store. A connection waiting for its
  // message to be stored holds one, so this many connections are served at once; the
  // stores themselves are batched (group commit) on one writer thread.
  int io_threads = 16;
  // A message whose store is not confirmed in this time gets no ACK (the sender retries).
  std::chrono::milliseconds store_timeout{10000};
  // How long a (site, sender, control id) is remembered to answer repeats as duplicates.
  std::chrono::hours duplicate_window{24 * 7};
};

// MSH-3 (sending application) and MSH-4 (sending facility) a site's systems send as. An empty
// application matches any application of that facility.
struct Hl7SenderConfig {
  std::string application;
  std::string facility;
};

struct SiteHl7Config {
  std::vector<Hl7SenderConfig> senders;
  std::string version = "2.5.1";  // of the messages we send the site (reports)
  std::string charset;            // MSH-18 of what we send; empty: ASCII
};

}  // namespace sundial::config
