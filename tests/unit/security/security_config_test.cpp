#include <gtest/gtest.h>

#include "engine/config/config_loader.h"

namespace sundial::config {
namespace {

const std::string kBase = R"(node: {data_dir: /tmp/unused}
sites:
  - name: DEMO
    callers: [{ae_title: MOD, addresses: [127.0.0.1]}]
)";
const std::string kHash = "\"$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==\"";

LoadOutcome load(const std::string& security) {
  return loadConfigText(kBase + security, "sec.yaml", "/work/x");
}

std::string allProblems(const LoadOutcome& outcome) {
  std::string out;
  for (const auto& p : outcome.problems) out += p.describe() + "\n";
  return out;
}

TEST(SecurityConfig, ReadsUsersTokensOidcAndTls) {
  auto outcome = load(R"(security:
  session_ttl_s: 600
  users:
    - {name: admin, password_hash: )" + kHash + R"(, roles: [admin]}
    - {name: view, password_hash: )" + kHash + R"(, roles: [site_viewer], sites: [DEMO]}
  api_tokens:
    - {name: ris, token_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, roles: [dispatcher]}
  oidc: {issuer: "https://idp", audience: sundial, jwks_file: keys/jwks.json, role_map: {radiologist: reader}}
  metrics: {allow_addresses: [10.0.0.0/8]}
  https: {certificate: tls/cert.pem, private_key: /etc/key.pem}
)");
  ASSERT_TRUE(outcome.config) << allProblems(outcome);
  const SecurityConfig& s = outcome.config->security;
  ASSERT_EQ(s.users.size(), 2u);
  EXPECT_EQ(s.users[1].sites, std::vector<std::string>{"DEMO"});
  EXPECT_EQ(s.session_ttl, std::chrono::seconds(600));
  ASSERT_EQ(s.api_tokens.size(), 1u);
  EXPECT_TRUE(s.oidc.enabled);
  EXPECT_EQ(s.oidc.jwks_file, "/work/x/keys/jwks.json");  // relative to the file's folder
  EXPECT_EQ(s.oidc.role_map.at("radiologist"), "reader");
  EXPECT_EQ(s.metrics.allow_addresses, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(s.https.certificate, "/work/x/tls/cert.pem");
  EXPECT_EQ(s.https.private_key, "/etc/key.pem");
  EXPECT_TRUE(s.secure_cookies);
}

TEST(SecurityConfig, ListsEveryMistakeWithItsLine) {
  auto outcome = load(R"(security:
  users:
    - {name: a, password_hash: plain-text, roles: [admin]}
    - {name: b, password_hash: )" + kHash + R"(, roles: [root]}
    - {name: c, password_hash: )" + kHash + R"(, roles: [site_viewer]}
    - {name: d, password_hash: )" + kHash + R"(, roles: [site_viewer], sites: [NOWHERE]}
    - {name: e, password_hash: )" + kHash + R"(, roles: [reader]}
    - {name: a, password_hash: )" + kHash + R"(, roles: [admin]}
  api_tokens:
    - {name: t, token_sha256: abc, roles: [admin]}
  oidc: {issuer: "https://idp"}
  metrics: {allow_addresses: [not-an-address]}
  https: {certificate: c.pem}
  typo: 1
)");
  EXPECT_FALSE(outcome.config);
  const std::string problems = allProblems(outcome);
  for (const char* expected :
       {"sec.yaml:7: security.users 'a'.password_hash must be a $scrypt$ hash",
        "unknown role 'root'", "'c': a site_viewer needs sites", "unknown site 'NOWHERE'",
        "'e': a reader needs a reader id", "user 'a' is listed twice",
        "token_sha256 must be 64 lower-case hex digits", "security.oidc.audience is required",
        "security.oidc.jwks_file is required", "not-an-address",
        "security.https needs both certificate and private_key", "unknown key 'typo'"}) {
    EXPECT_NE(problems.find(expected), std::string::npos) << expected << "\n" << problems;
  }
}

TEST(SecurityConfig, ReadsSiteLimitsAndMutualTls) {
  auto outcome = loadConfigText(R"(node: {data_dir: /tmp/unused}
security:
  dicom_tls: {certificate: c.pem, private_key: k.pem, ca_file: ca.pem, port: 11115}
sites:
  - name: DEMO
    callers: [{ae_title: MOD, addresses: [127.0.0.1]}]
    security: {certificate_names: [modality.demo.example], max_associations: 4, max_bytes_per_minute: 1000000}
)", "sec.yaml", "/work");
  ASSERT_TRUE(outcome.config) << allProblems(outcome);
  const SiteSecurityConfig& site = outcome.config->sites[0].security;
  EXPECT_TRUE(site.require_tls);
  EXPECT_EQ(site.max_associations, 4);
  EXPECT_EQ(site.max_bytes_per_minute, 1000000u);
  EXPECT_EQ(outcome.config->security.dicom_tls_port, 11115);
  EXPECT_EQ(outcome.config->security.dicom_tls.ca_file, "/work/ca.pem");
}

TEST(SecurityConfig, ATlsSiteNeedsTheTlsListener) {
  auto outcome = loadConfigText(R"(node: {data_dir: /tmp/unused}
sites:
  - name: DEMO
    callers: [{ae_title: MOD, addresses: [127.0.0.1]}]
    security: {require_tls: true, max_associations: -1}
)", "sec.yaml", "/work");
  EXPECT_FALSE(outcome.config);
  const std::string problems = allProblems(outcome);
  EXPECT_NE(problems.find("requires DICOM over TLS"), std::string::npos) << problems;
  EXPECT_NE(problems.find("max_associations must be 0 or more"), std::string::npos) << problems;
}

}  // namespace
}  // namespace sundial::config
