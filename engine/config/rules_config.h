#pragma once
// The Lua routing rules (top-level `rules:`). Loaded by rules_config.cpp.

#include <filesystem>

namespace sundial::config {

struct RulesConfig {
  std::filesystem::path folder;  // empty: static routing only; absolute after loading
};

}  // namespace sundial::config
