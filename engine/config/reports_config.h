#pragma once
// Report delivery to sites (top-level `reports:`; site `reports:` names the site's HL7
// endpoint). Loaded by reports_config.cpp.

#include <chrono>
#include <cstdint>
#include <string>

namespace sundial::config {

struct ReportsConfig {
  int max_attempts = 20;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{300000};
  std::chrono::milliseconds ack_timeout{30000};
};

struct SiteReportsConfig {
  std::string host;  // empty: the site takes no reports over HL7
  std::uint16_t port = 0;
};

}  // namespace sundial::config
