#include "engine/config/sections.h"

// Placeholder until the audit trail is built (issue 6): the section is refused if present.
namespace sundial::config::detail {

void readAuditSection(Reader& r, const YAML::Node& n, AuditConfig&) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, "audit: not supported yet");
}

}  // namespace sundial::config::detail
