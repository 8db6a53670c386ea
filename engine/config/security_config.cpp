#include "engine/config/sections.h"

// Placeholder until security is built (issue 6): the sections are refused if present.
namespace sundial::config::detail {

void readSecuritySection(Reader& r, const YAML::Node& n, SecurityConfig&,
                         const std::filesystem::path&) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, "security: not supported yet");
}
void readSiteSecurity(Reader& r, const YAML::Node& n, SiteSecurityConfig&, const std::string& where) {
  if (n.IsDefined() && !n.IsNull()) r.problem(n, where + ".security: not supported yet");
}
void checkSecurityReferences(Reader&, const YAML::Node&, const Config&) {}

}  // namespace sundial::config::detail
