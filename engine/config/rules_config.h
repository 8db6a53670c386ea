#pragma once
// The Lua routing rules (top-level `rules:`): their folder, the reading pools a decision may
// name, the fallback pool and the limits of a rule call. Loaded by rules_config.cpp.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sundial::config {

// push: readers see only what is assigned to them; pull: readers claim from the shared pool.
enum class PoolMode { Push, Pull };

struct PoolConfig {
  std::string name;
  PoolMode mode = PoolMode::Push;
  int config_line = 0;
};

struct RulesConfig {
  std::filesystem::path folder;  // empty: static routing only; absolute after loading
  std::vector<PoolConfig> pools;
  // Where a study goes when a rule fails, times out, returns nonsense or breaks a safety
  // check. Required when `folder` is set; must be one of `pools`.
  std::string fallback_pool;
  std::chrono::milliseconds reload_interval{2000};  // how often the folder is checked
  std::uint64_t call_instructions = 1'000'000;      // per decision
  std::chrono::milliseconds call_time_limit{20};    // per decision
  std::uint64_t memory_bytes = 8ull << 20;          // per decision (per Lua state: 4x this)
};

std::string_view poolModeName(PoolMode mode);

}  // namespace sundial::config
