#include "engine/config/sections.h"

// Placeholder until the roster is built (issue 4): the section is refused if present.
namespace sundial::config::detail {

void readReadersSection(Reader& r, const YAML::Node& n, std::vector<ReaderConfig>&) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, "readers: not supported yet");
}
void readSiteCoverage(Reader& r, const YAML::Node& n, SiteCoverageConfig&, const std::string& where) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, where + ".coverage: not supported yet");
}
void checkRosterReferences(Reader&, const YAML::Node&, const Config&) {}

}  // namespace sundial::config::detail
