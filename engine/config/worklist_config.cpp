#include "engine/config/sections.h"

// Placeholder until the worklist is built (issue 5): the sections are refused if present.
namespace sundial::config::detail {

void readWorklistSection(Reader& r, const YAML::Node& n, WorklistConfig&) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, "worklist: not supported yet");
}
void readSiteSla(Reader& r, const YAML::Node& n, SiteSlaConfig&, const std::string& where) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, where + ".sla: not supported yet");
}
void checkWorklistReferences(Reader&, const YAML::Node&, const Config&) {}

}  // namespace sundial::config::detail
