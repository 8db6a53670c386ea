#pragma once
// The readers (top-level `readers:`) and a site's coverage hours (site `coverage:`).
// Loaded by roster_config.cpp.

#include <string>
#include <vector>

namespace sundial::config {

struct ReaderConfig {
  std::string id;
  int config_line = 0;
};

struct SiteCoverageConfig {};

}  // namespace sundial::config
