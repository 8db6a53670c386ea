#pragma once
// The one table of who may call what on the HTTP API: (method class, path pattern) -> the
// roles allowed. The HTTP gate (engine/app/auth_gate.cpp) asks it before every handler, so a
// route someone adds under /api/v1 without a line here is refused (403, logged) instead of
// silently open. Immutable; safe from any thread.
//
// Patterns are split at '/': a literal segment matches itself, "*" one segment, and a final
// "**" any rest (also none). The most specific rule wins (most literal segments, then the
// one listed first).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sundial::engine::auth {

enum class Role { Admin, RuleAdmin, Dispatcher, Reader, SiteViewer, Auditor };

std::string_view roleName(Role role);
std::optional<Role> roleFromName(std::string_view name);
const std::vector<Role>& allRoles();

// GET and HEAD read; POST, PUT, PATCH and DELETE write; anything else is never allowed
// under /api/v1.
enum class MethodClass { Read, Write, Other };
MethodClass methodClassOf(std::string_view method);

enum class Access {
  Public,         // no credentials (health, the page's static files, the login itself)
  Scraper,        // /metrics: a configured scraper address or token
  Authenticated,  // any valid credentials, whatever the role (logout, who am I)
  Roles,          // credentials holding one of `roles`
};

struct AccessRule {
  MethodClass method;
  std::string pattern;
  Access access;
  std::vector<Role> roles;  // Access::Roles only; empty: nobody (e.g. writing the audit trail)
  std::string note;         // why, for the table in docs/security.md
};

class AccessPolicy {
 public:
  explicit AccessPolicy(std::vector<AccessRule> rules);

  // The table Sundial serves with.
  static const AccessPolicy& standard();

  // The rule for this request, or nullptr when none matches (the caller must refuse an
  // /api/v1 path then).
  const AccessRule* find(std::string_view method, std::string_view path) const;

  // Whether credentials holding `roles` (names) pass `rule`.
  static bool allows(const AccessRule& rule, const std::vector<std::string>& roles);

  const std::vector<AccessRule>& rules() const { return rules_; }

 private:
  std::vector<AccessRule> rules_;
};

// The API prefix every rule about data lives under.
inline constexpr std::string_view kApiPrefix = "/api/v1/";

bool isApiPath(std::string_view path);

// Whether a caller with these roles may see patient identity (name, id, birth date,
// accession number) in API answers. Handlers that return patient data must ask.
bool maySeePatientIdentity(const std::vector<std::string>& roles);

// Whether a caller may see a site's studies and figures: every site for admin, dispatcher
// and auditor; their own `sites` for a site viewer; none otherwise (readers see tasks,
// filtered by reader id, not sites).
bool maySeeSite(const std::vector<std::string>& roles, const std::vector<std::string>& sites,
                std::string_view site);

}  // namespace sundial::engine::auth
