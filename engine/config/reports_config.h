#pragma once
// Report delivery to sites (top-level `reports:`; site `reports:` names the site's HL7
// endpoint). Loaded by reports_config.cpp.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace sundial::config {

struct ReportsConfig {
  int max_attempts = 20;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  std::chrono::milliseconds ack_timeout{30000};
  std::chrono::milliseconds connect_timeout{5000};
  // Close a site's MLLP connection after this long without a report (sites drop idle
  // connections on their own schedule; closing first avoids a failed try on a dead one).
  std::chrono::milliseconds idle_connection_timeout{30000};
  std::string sending_application = "SUNDIAL";  // MSH-3 of the reports we send
  std::string sending_facility = "SUNDIAL";     // MSH-4
  std::chrono::hours delivered_retention{168};   // delivered reports kept in Redis this long
};

struct SiteReportsConfig {
  std::string host;  // empty: the site takes no reports over HL7
  std::uint16_t port = 0;
  // MLLP over TLS to the site (`tls: true`): its certificate must chain to `ca` and name the
  // host (or `server_name`); `certificate`/`private_key` are ours, for sites that ask for a
  // client certificate. Paths are absolute after loading (relative to the config file).
  bool tls = false;
  std::filesystem::path ca_file;
  std::string server_name;
  std::filesystem::path certificate;
  std::filesystem::path private_key;
};

}  // namespace sundial::config
