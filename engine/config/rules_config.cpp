#include "engine/config/sections.h"

// Placeholder until the rule loader is built (issue 4): the section is refused if present.
namespace sundial::config::detail {

void readRulesSection(Reader& r, const YAML::Node& n, RulesConfig&, const std::filesystem::path&) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, "rules: not supported yet");
}

}  // namespace sundial::config::detail
