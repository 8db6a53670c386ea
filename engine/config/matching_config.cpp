#include "engine/config/sections.h"

namespace sundial::config::detail {

void readMatchingSection(Reader& r, const YAML::Node& n, MatchingConfig& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "matching";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"time_window_minutes", "unmatched_after_ms"});
  long long minutes = out.time_window.count();
  r.read(n, "time_window_minutes", minutes, where);
  if (minutes < 1) {
    r.problem(n["time_window_minutes"], "matching.time_window_minutes must be at least 1");
  } else {
    out.time_window = std::chrono::minutes(minutes);
  }
  r.readMs(n, "unmatched_after_ms", out.unmatched_after, where, 0);
}

}  // namespace sundial::config::detail
