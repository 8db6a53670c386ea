#include <set>

#include "engine/config/sections.h"

// `rules:` — the rule folder (relative to the configuration file), the reading pools, the
// fallback pool and the limits of one rule call.
namespace sundial::config {

std::string_view poolModeName(PoolMode mode) { return mode == PoolMode::Pull ? "pull" : "push"; }

namespace detail {
namespace {

void readPools(Reader& r, const YAML::Node& n, std::vector<PoolConfig>& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    r.problem(n, "rules.pools must be a list of {name, mode}");
    return;
  }
  std::set<std::string> names;
  for (const auto& p : n) {
    if (!r.isMap(p, "each rules.pools entry")) continue;
    r.checkKeys(p, "rules.pools entry", {"name", "mode"});
    PoolConfig pool;
    pool.config_line = static_cast<int>(p.Mark().line) + 1;
    r.readString(p, "name", pool.name, "rules.pools");
    if (!isValidName(pool.name)) {
      r.problem(p, "a pool needs a name of letters, digits, '_', '-' or '.'");
    } else if (!names.insert(pool.name).second) {
      r.problem(p["name"], "pool name '" + pool.name + "' is used twice");
    }
    std::string mode = "push";
    r.readString(p, "mode", mode, "pool '" + pool.name + "'");
    if (mode == "push") {
      pool.mode = PoolMode::Push;
    } else if (mode == "pull") {
      pool.mode = PoolMode::Pull;
    } else {
      r.problem(p["mode"], "pool '" + pool.name + "'.mode must be 'push' or 'pull', not '" + mode + "'");
    }
    out.push_back(std::move(pool));
  }
}

}  // namespace

void readRulesSection(Reader& r, const YAML::Node& n, RulesConfig& out,
                      const std::filesystem::path& config_dir) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "rules";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where,
              {"folder", "pools", "fallback_pool", "reload_interval_ms", "call_instructions",
               "call_time_limit_ms", "memory_bytes"});
  std::string folder;
  r.readString(n, "folder", folder, where);
  if (!folder.empty()) {
    std::filesystem::path path(folder);
    out.folder = (path.is_absolute() ? path : config_dir / path).lexically_normal();
    std::error_code ec;
    if (!std::filesystem::is_directory(out.folder, ec)) {
      r.problem(n["folder"], "rules.folder '" + out.folder.string() + "' is not a folder");
    }
  }
  readPools(r, n["pools"], out.pools);
  r.readString(n, "fallback_pool", out.fallback_pool, where);
  if (!out.folder.empty() && out.fallback_pool.empty()) {
    r.problem(n, "rules.fallback_pool is required with rules.folder (where a study goes when a "
                 "rule fails)");
  }
  if (!out.fallback_pool.empty()) {
    bool declared = false;
    for (const auto& pool : out.pools) declared = declared || pool.name == out.fallback_pool;
    if (!declared) {
      r.problem(n["fallback_pool"],
                "rules.fallback_pool '" + out.fallback_pool + "' is not one of rules.pools");
    }
  }
  r.readMs(n, "reload_interval_ms", out.reload_interval, where, 100);
  r.read(n, "call_instructions", out.call_instructions, where);
  if (out.call_instructions < 10'000) {
    r.problem(n["call_instructions"], "rules.call_instructions must be at least 10000");
  }
  r.readMs(n, "call_time_limit_ms", out.call_time_limit, where, 1);
  r.read(n, "memory_bytes", out.memory_bytes, where);
  if (out.memory_bytes < (1ull << 20)) {
    r.problem(n["memory_bytes"], "rules.memory_bytes must be at least 1048576");
  }
}

}  // namespace detail
}  // namespace sundial::config
