#include "engine/config/config_loader.h"

#include <gtest/gtest.h>

namespace sundial::config {
namespace {

const char* kValid = R"(
node:
  ae_title: SUNDIAL
  dicom_port: 11112
  http_port: 8080
  data_dir: data
tracker:
  quiet_period_ms: 3000
destinations:
  - name: ARCHIVE
    ae_title: ARCHIVE
    host: 127.0.0.1
    port: 11113
    max_associations: 2
  - name: READER1
    ae_title: READER1
    host: 127.0.0.1
    port: 11114
    mode: streaming
sites:
  - name: DEMO
    time_zone: America/Chicago
    state: TX
    callers:
      - ae_title: MODALITY
        addresses: [127.0.0.1, "10.1.0.0/16"]
    quiet_period_by_modality_ms: {CT: 5000}
    destinations: [ARCHIVE, READER1]
)";

bool mentions(const LoadOutcome& outcome, int line, const std::string& text) {
  for (const auto& p : outcome.problems) {
    if ((line == 0 || p.line == line) && p.message.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string allProblems(const LoadOutcome& outcome) {
  std::string out;
  for (const auto& p : outcome.problems) out += p.describe() + "\n";
  return out;
}

TEST(ConfigLoader, ReadsACompleteFile) {
  auto outcome = loadConfigText(kValid, "test.yaml", "/srv/sundial");
  ASSERT_TRUE(outcome.problems.empty()) << allProblems(outcome);
  const Config& c = *outcome.config;
  EXPECT_EQ(c.node.ae_title, "SUNDIAL");
  EXPECT_EQ(c.node.data_dir, "/srv/sundial/data");
  ASSERT_EQ(c.destinations.size(), 2u);
  EXPECT_EQ(c.destinations[0].mode, ForwardMode::OnCompletion);
  EXPECT_EQ(c.destinations[1].mode, ForwardMode::Streaming);
  ASSERT_EQ(c.sites.size(), 1u);
  EXPECT_EQ(c.sites[0].callers[0].addresses.size(), 2u);
  EXPECT_EQ(c.quietPeriodFor("DEMO", "CT"), Milliseconds(5000));
  EXPECT_EQ(c.quietPeriodFor("DEMO", "MR"), Milliseconds(3000));
}

TEST(ConfigLoader, NamesFileLineAndProblemForEveryError) {
  const char* text = R"(node:
  ae_title: THIS_AE_TITLE_IS_FAR_TOO_LONG
  dicom_port: 70000
  data_dir: data
destinations:
  - name: ARCHIVE
    ae_title: ARCHIVE
    host: 127.0.0.1
    port: 11113
    mode: sometimes
sites:
  - name: DEMO
    callers:
      - ae_title: MODALITY
        addresses: [not-an-address]
    destinations: [ARCHIVE, NOWHERE]
    colour: blue
)";
  auto outcome = loadConfigText(text, "bad.yaml", "/tmp");
  EXPECT_FALSE(outcome.config);
  EXPECT_TRUE(mentions(outcome, 2, "ae_title")) << allProblems(outcome);
  EXPECT_TRUE(mentions(outcome, 3, "TCP port")) << allProblems(outcome);
  EXPECT_TRUE(mentions(outcome, 10, "mode")) << allProblems(outcome);
  EXPECT_TRUE(mentions(outcome, 15, "not-an-address")) << allProblems(outcome);
  EXPECT_TRUE(mentions(outcome, 16, "NOWHERE")) << allProblems(outcome);
  EXPECT_TRUE(mentions(outcome, 17, "unknown key 'colour'")) << allProblems(outcome);
  for (const auto& p : outcome.problems) EXPECT_EQ(p.file, "bad.yaml");
}

TEST(ConfigLoader, EmbeddedRedisFsyncsBeforeEachReplyUnlessToldOtherwise) {
  auto defaults = loadConfigText(kValid, "test.yaml", "/srv/sundial");
  ASSERT_TRUE(defaults.config) << allProblems(defaults);
  EXPECT_EQ(defaults.config->redis.appendfsync, "always");
  std::string everysec = std::string(kValid) + "redis:\n  appendfsync: everysec\n";
  auto relaxed = loadConfigText(everysec, "test.yaml", "/srv/sundial");
  ASSERT_TRUE(relaxed.config) << allProblems(relaxed);
  EXPECT_EQ(relaxed.config->redis.appendfsync, "everysec");
  std::string wrong = std::string(kValid) + "redis:\n  appendfsync: sometimes\n";
  auto refused = loadConfigText(wrong, "test.yaml", "/srv/sundial");
  EXPECT_FALSE(refused.config);
  EXPECT_TRUE(mentions(refused, 0, "redis.appendfsync must be 'always' or 'everysec'"))
      << allProblems(refused);
}

TEST(ConfigLoader, ReportsSyntaxErrorsWithTheirLine) {
  auto outcome = loadConfigText("node:\n  ae_title: [unclosed\n", "broken.yaml", "/tmp");
  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_NE(outcome.problems[0].message.find("YAML syntax"), std::string::npos);
  EXPECT_GT(outcome.problems[0].line, 0);
}

TEST(ConfigLoader, RejectsTheSameCallerInTwoSites) {
  std::string text = kValid;
  text += R"(  - name: OTHER
    callers:
      - ae_title: MODALITY
        addresses: [127.0.0.1]
)";
  auto outcome = loadConfigText(text, "dup.yaml", "/tmp");
  EXPECT_TRUE(mentions(outcome, 0, "both site 'DEMO' and site 'OTHER'")) << allProblems(outcome);
}

TEST(ConfigLoader, MissingFileIsAProblemNotACrash) {
  auto outcome = loadConfigFile("/nonexistent/sundial.yaml", "/tmp");
  ASSERT_EQ(outcome.problems.size(), 1u);
  EXPECT_NE(outcome.problems[0].message.find("cannot read"), std::string::npos);
}

TEST(AddressMatching, MatchesExactAndCidr) {
  EXPECT_TRUE(addressMatches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(addressMatches("127.0.0.1", "127.0.0.2"));
  EXPECT_TRUE(addressMatches("10.1.0.0/16", "10.1.200.3"));
  EXPECT_FALSE(addressMatches("10.1.0.0/16", "10.2.0.3"));
  EXPECT_TRUE(addressMatches("::1", "::1"));
  EXPECT_TRUE(addressMatches("0.0.0.0/0", "192.0.2.1"));
  EXPECT_FALSE(addressMatches("::1", "127.0.0.1"));
  EXPECT_TRUE(isValidAddressPattern("192.0.2.0/24"));
  EXPECT_FALSE(isValidAddressPattern("192.0.2.0/33"));
  EXPECT_FALSE(isValidAddressPattern("host.example"));
}

}  // namespace
}  // namespace sundial::config
