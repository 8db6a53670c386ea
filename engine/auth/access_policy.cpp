#include "engine/auth/access_policy.h"

#include <algorithm>
#include <array>

namespace sundial::engine::auth {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 6> kRoleNames = {{
    {Role::Admin, "admin"},
    {Role::RuleAdmin, "rule_admin"},
    {Role::Dispatcher, "dispatcher"},
    {Role::Reader, "reader"},
    {Role::SiteViewer, "site_viewer"},
    {Role::Auditor, "auditor"},
}};

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// How specific a match is (literal segments), or -1 when it does not match.
int matchScore(std::string_view pattern, std::string_view path) {
  auto want = segments(pattern);
  auto have = segments(path);
  int literals = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (want[i] == "**" && i + 1 == want.size()) return literals;
    if (i >= have.size()) return -1;
    if (want[i] == "*") {
      if (have[i].empty()) return -1;
      continue;
    }
    if (want[i] != have[i]) return -1;
    ++literals;
  }
  return want.size() == have.size() ? literals : -1;
}

using enum Role;

// Adds the two rules for a collection: "/api/v1/x" and everything below it.
void collection(std::vector<AccessRule>& out, MethodClass method, const std::string& name,
                std::vector<Role> roles, const std::string& note) {
  out.push_back({method, "/api/v1/" + name, Access::Roles, roles, note});
  out.push_back({method, "/api/v1/" + name + "/**", Access::Roles, std::move(roles), note});
}

std::vector<AccessRule> standardRules() {
  constexpr auto R = MethodClass::Read;
  constexpr auto W = MethodClass::Write;
  std::vector<AccessRule> t = {
      {R, "/healthz", Access::Public, {}, "load balancers and supervisors"},
      {R, "/metrics", Access::Scraper, {}, "the configured scraper address or token"},
      {R, "/", Access::Public, {}, "the page (it logs in itself)"},
      {R, "/index.html", Access::Public, {}, "the page"},
      {R, "/favicon.ico", Access::Public, {}, "the page"},
      {R, "/assets/**", Access::Public, {}, "the page's scripts and styles"},
      {W, "/api/v1/login", Access::Public, {}, "user and password in, session token out"},
      {W, "/api/v1/logout", Access::Authenticated, {}, "ends the caller's own session"},
      {R, "/api/v1/me", Access::Authenticated, {}, "who the caller is, their roles"},
  };
  collection(t, R, "studies", {Admin, Dispatcher, SiteViewer, Auditor},
             "site viewers: their sites only (filtered by the handler)");
  collection(t, W, "studies", {Admin, Dispatcher}, "re-route, re-send");
  collection(t, R, "destinations", {Admin, Dispatcher}, "forward queues, dead letters");
  collection(t, W, "destinations", {Admin}, "retry or drop dead letters");
  collection(t, R, "exceptions", {Admin, Dispatcher}, "unmatched orders and studies");
  collection(t, W, "exceptions", {Admin, Dispatcher}, "resolve by hand");
  collection(t, R, "orders", {Admin, Dispatcher}, "orders as received");
  collection(t, W, "orders", {Admin, Dispatcher}, "link or cancel");
  collection(t, R, "tasks", {Admin, Dispatcher, Reader},
             "readers: tasks assigned to or claimable by them (filtered by the handler)");
  collection(t, W, "tasks", {Admin, Dispatcher, Reader},
             "claim, release, report; a reader only their own (checked by the handler)");
  t.push_back({W, "/api/v1/tasks/*/assign", Access::Roles, {Admin, Dispatcher},
               "assigning is the dispatcher's"});
  collection(t, R, "readers", {Admin, Dispatcher, Reader}, "the board: who is on, their load");
  collection(t, W, "readers", {Admin, Dispatcher, Reader},
             "heartbeat, online, offline; a reader only for themselves (checked by the handler)");
  collection(t, R, "sites", {Admin, Dispatcher, SiteViewer}, "site viewers: their sites only");
  collection(t, W, "sites", {Admin}, "site settings");
  collection(t, R, "tat", {Admin, Dispatcher, SiteViewer, Auditor},
             "turnaround figures; site viewers: their sites only");
  t.push_back({R, "/api/v1/tat.csv", Access::Roles, {Admin, Dispatcher, SiteViewer, Auditor},
               "turnaround figures as CSV"});
  collection(t, R, "sla", {Admin, Dispatcher, Auditor}, "SLA breaches");
  collection(t, R, "events", {Admin, Dispatcher, Reader, SiteViewer},
             "live updates (SSE), filtered like the lists they update");
  collection(t, R, "reports", {Admin, Dispatcher, Reader}, "reports; readers: their own");
  collection(t, W, "reports", {Admin, Dispatcher, Reader}, "report in, re-send");
  collection(t, R, "audit", {Admin, Auditor}, "the audit trail");
  collection(t, W, "audit", {}, "the trail is append-only: nobody writes through the API");
  collection(t, R, "rules", {Admin, RuleAdmin, Dispatcher, Auditor}, "rule sets and versions");
  collection(t, W, "rules", {RuleAdmin}, "only rule admins change rules");
  return t;
}

}  // namespace

std::string_view roleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "unknown";
}

std::optional<Role> roleFromName(std::string_view name) {
  for (const auto& [r, n] : kRoleNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

const std::vector<Role>& allRoles() {
  static const std::vector<Role> roles = {Admin, RuleAdmin, Dispatcher, Reader, SiteViewer, Auditor};
  return roles;
}

MethodClass methodClassOf(std::string_view method) {
  if (method == "GET" || method == "HEAD") return MethodClass::Read;
  if (method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE") {
    return MethodClass::Write;
  }
  return MethodClass::Other;
}

AccessPolicy::AccessPolicy(std::vector<AccessRule> rules) : rules_(std::move(rules)) {}

const AccessPolicy& AccessPolicy::standard() {
  static const AccessPolicy policy(standardRules());
  return policy;
}

const AccessRule* AccessPolicy::find(std::string_view method, std::string_view path) const {
  const MethodClass method_class = methodClassOf(method);
  if (method_class == MethodClass::Other) return nullptr;
  const AccessRule* best = nullptr;
  int best_score = -1;
  for (const AccessRule& rule : rules_) {
    if (rule.method != method_class) continue;
    int score = matchScore(rule.pattern, path);
    if (score > best_score) {
      best = &rule;
      best_score = score;
    }
  }
  return best;
}

bool AccessPolicy::allows(const AccessRule& rule, const std::vector<std::string>& roles) {
  switch (rule.access) {
    case Access::Public: return true;
    case Access::Scraper: return false;  // decided by address or token, not by role
    case Access::Authenticated: return !roles.empty();
    case Access::Roles:
      return std::any_of(rule.roles.begin(), rule.roles.end(), [&](Role allowed) {
        return std::find(roles.begin(), roles.end(), roleName(allowed)) != roles.end();
      });
  }
  return false;
}

bool isApiPath(std::string_view path) {
  return path.starts_with(kApiPrefix) || path == kApiPrefix.substr(0, kApiPrefix.size() - 1);
}

bool maySeePatientIdentity(const std::vector<std::string>& roles) {
  // Those who act on a study for the patient (dispatching, reading) or must prove who saw
  // what (auditors, admins). Rule admins, site viewers (TAT figures) need no identity.
  for (std::string_view role : {"admin", "dispatcher", "reader", "auditor"}) {
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) return true;
  }
  return false;
}

bool maySeeSite(const std::vector<std::string>& roles, const std::vector<std::string>& sites,
                std::string_view site) {
  for (std::string_view role : {"admin", "dispatcher", "auditor"}) {
    if (std::find(roles.begin(), roles.end(), role) != roles.end()) return true;
  }
  if (std::find(roles.begin(), roles.end(), "site_viewer") == roles.end()) return false;
  return std::find(sites.begin(), sites.end(), site) != sites.end();
}

}  // namespace sundial::engine::auth
