// The table of who may do what, written out here independently of access_policy.cpp and
// checked both ways: every listed role is allowed, every other role is refused.

#include "engine/auth/access_policy.h"

#include <gtest/gtest.h>

#include <set>

namespace sundial::engine::auth {
namespace {

struct Expected {
  const char* method;
  const char* path;
  std::set<std::string> roles;  // who may
};

const std::set<std::string> kAll = {"admin",  "rule_admin",  "dispatcher",
                                    "reader", "site_viewer", "auditor"};

const std::vector<Expected>& table() {
  static const std::vector<Expected> t = {
      {"POST", "/api/v1/logout", kAll},
      {"GET", "/api/v1/me", kAll},
      {"GET", "/api/v1/studies", {"admin", "dispatcher", "site_viewer", "auditor"}},
      {"GET", "/api/v1/studies/1.2.3", {"admin", "dispatcher", "site_viewer", "auditor"}},
      {"HEAD", "/api/v1/studies", {"admin", "dispatcher", "site_viewer", "auditor"}},
      {"POST", "/api/v1/studies/1.2.3/reroute", {"admin", "dispatcher"}},
      {"GET", "/api/v1/destinations", {"admin", "dispatcher"}},
      {"POST", "/api/v1/destinations/ARCHIVE/retry", {"admin"}},
      {"GET", "/api/v1/exceptions", {"admin", "dispatcher"}},
      {"POST", "/api/v1/exceptions/7/resolve", {"admin", "dispatcher"}},
      {"GET", "/api/v1/orders", {"admin", "dispatcher"}},
      {"PUT", "/api/v1/orders/ACC1", {"admin", "dispatcher"}},
      {"GET", "/api/v1/tasks", {"admin", "dispatcher", "reader"}},
      {"POST", "/api/v1/tasks/42/claim", {"admin", "dispatcher", "reader"}},
      {"POST", "/api/v1/tasks/42/assign", {"admin", "dispatcher"}},
      {"GET", "/api/v1/readers", {"admin", "dispatcher", "reader"}},
      {"POST", "/api/v1/readers/R1/offline", {"admin", "dispatcher", "reader"}},
      {"GET", "/api/v1/sites", {"admin", "dispatcher", "site_viewer"}},
      {"DELETE", "/api/v1/sites/DEMO", {"admin"}},
      {"GET", "/api/v1/tat", {"admin", "dispatcher", "site_viewer", "auditor"}},
      {"GET", "/api/v1/tat/DEMO", {"admin", "dispatcher", "site_viewer", "auditor"}},
      {"GET", "/api/v1/tat.csv", {"admin", "dispatcher", "site_viewer", "auditor"}},
      {"GET", "/api/v1/sla/breaches", {"admin", "dispatcher", "auditor"}},
      {"GET", "/api/v1/events", {"admin", "dispatcher", "reader", "site_viewer"}},
      {"GET", "/api/v1/reports/9", {"admin", "dispatcher", "reader"}},
      {"POST", "/api/v1/reports", {"admin", "dispatcher", "reader"}},
      {"GET", "/api/v1/audit", {"admin", "auditor"}},
      {"GET", "/api/v1/audit/records", {"admin", "auditor"}},
      {"POST", "/api/v1/audit", {}},
      {"DELETE", "/api/v1/audit/records/1", {}},
      {"GET", "/api/v1/rules", {"admin", "rule_admin", "dispatcher", "auditor"}},
      {"PUT", "/api/v1/rules/routing.lua", {"rule_admin"}},
      {"POST", "/api/v1/rules/reload", {"rule_admin"}},
  };
  return t;
}

TEST(AccessPolicy, EveryRoleAgainstEveryRouteBothWays) {
  const AccessPolicy& policy = AccessPolicy::standard();
  for (const Expected& row : table()) {
    const AccessRule* rule = policy.find(row.method, row.path);
    ASSERT_NE(rule, nullptr) << row.method << " " << row.path;
    for (const std::string& role : kAll) {
      const bool expected = row.roles.contains(role);
      EXPECT_EQ(AccessPolicy::allows(*rule, {role}), expected)
          << role << (expected ? " must be allowed " : " must be refused ") << row.method << " "
          << row.path << " (rule " << rule->pattern << ")";
    }
    EXPECT_FALSE(AccessPolicy::allows(*rule, {})) << "no roles, " << row.path;
  }
}

TEST(AccessPolicy, PublicPathsNeedNoCredentials) {
  const AccessPolicy& policy = AccessPolicy::standard();
  for (auto [method, path] : std::vector<std::pair<const char*, const char*>>{
           {"GET", "/healthz"}, {"GET", "/"}, {"GET", "/assets/app.js"},
           {"GET", "/assets/css/site.css"}, {"POST", "/api/v1/login"}}) {
    const AccessRule* rule = policy.find(method, path);
    ASSERT_NE(rule, nullptr) << path;
    EXPECT_EQ(rule->access, Access::Public) << path;
  }
  const AccessRule* metrics = policy.find("GET", "/metrics");
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(metrics->access, Access::Scraper);
  EXPECT_FALSE(AccessPolicy::allows(*metrics, {"admin"}));  // by address or token only
}

TEST(AccessPolicy, UnknownApiRoutesAndMethodsFindNoRule) {
  const AccessPolicy& policy = AccessPolicy::standard();
  EXPECT_EQ(policy.find("GET", "/api/v1/secrets"), nullptr);
  EXPECT_EQ(policy.find("GET", "/api/v1"), nullptr);
  EXPECT_EQ(policy.find("OPTIONS", "/api/v1/studies"), nullptr);
  EXPECT_EQ(policy.find("TRACE", "/api/v1/me"), nullptr);
  EXPECT_EQ(policy.find("GET", "/api/v1/studiesX"), nullptr);  // no prefix bleed
  EXPECT_EQ(policy.find("GET", "/api/v1/login"), nullptr);     // login is POST only
  EXPECT_EQ(policy.find("POST", "/healthz"), nullptr);
  EXPECT_TRUE(isApiPath("/api/v1/anything"));
  EXPECT_TRUE(isApiPath("/api/v1"));
  EXPECT_FALSE(isApiPath("/api/v10"));
}

TEST(AccessPolicy, TheMostSpecificRuleWins) {
  AccessPolicy policy({{MethodClass::Write, "/x/**", Access::Roles, {Role::Reader}, ""},
                       {MethodClass::Write, "/x/*/assign", Access::Roles, {Role::Admin}, ""}});
  EXPECT_EQ(policy.find("POST", "/x/1/assign")->pattern, "/x/*/assign");
  EXPECT_EQ(policy.find("POST", "/x/1/claim")->pattern, "/x/**");
  EXPECT_EQ(policy.find("POST", "/x")->pattern, "/x/**");  // ** also matches nothing
  EXPECT_EQ(policy.find("POST", "/x//assign")->pattern, "/x/**");  // * needs a segment
}

TEST(AccessPolicy, OnlySomeRolesSeePatientIdentity) {
  for (const char* role : {"admin", "dispatcher", "reader", "auditor"}) {
    EXPECT_TRUE(maySeePatientIdentity({role})) << role;
  }
  for (const char* role : {"rule_admin", "site_viewer"}) {
    EXPECT_FALSE(maySeePatientIdentity({role})) << role;
  }
  EXPECT_FALSE(maySeePatientIdentity({}));
  EXPECT_TRUE(maySeePatientIdentity({"site_viewer", "dispatcher"}));
}

TEST(AccessPolicy, SiteViewersSeeOnlyTheirSites) {
  EXPECT_TRUE(maySeeSite({"site_viewer"}, {"DEMO"}, "DEMO"));
  EXPECT_FALSE(maySeeSite({"site_viewer"}, {"DEMO"}, "OTHER"));
  EXPECT_TRUE(maySeeSite({"dispatcher"}, {}, "OTHER"));
  EXPECT_FALSE(maySeeSite({"reader"}, {}, "DEMO"));
  EXPECT_FALSE(maySeeSite({"rule_admin"}, {"DEMO"}, "DEMO"));
}

TEST(AccessPolicy, RoleNamesRoundTrip) {
  for (Role role : allRoles()) EXPECT_EQ(roleFromName(roleName(role)), role);
  EXPECT_FALSE(roleFromName("root"));
  EXPECT_EQ(allRoles().size(), 6u);
}

}  // namespace
}  // namespace sundial::engine::auth
