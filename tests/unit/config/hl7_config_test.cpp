// The `hl7:` section and a site's `hl7.senders` (engine/config/hl7_config.cpp).
#include <gtest/gtest.h>

#include "engine/config/config_loader.h"

namespace sundial::config {
namespace {

const std::string kBase = R"(
node:
  ae_title: SUNDIAL
  data_dir: data
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
sites:
  - name: DEMO
    time_zone: UTC
    state: TX
    callers:
      - {ae_title: MODALITY, addresses: [127.0.0.1]}
    destinations: [ARCHIVE]
    hl7:
      senders:
        - {application: DEMO_RIS, facility: DEMO_HOSPITAL}
        - {facility: DEMO_ER}
)";

std::string problems(const LoadOutcome& outcome) {
  std::string out;
  for (const auto& p : outcome.problems) out += p.describe() + "\n";
  return out;
}

TEST(Hl7Config, NoSectionMeansNoListener) {
  auto outcome = loadConfigText(kBase, "t.yaml", "/tmp");
  ASSERT_TRUE(outcome.config) << problems(outcome);
  EXPECT_FALSE(outcome.config->hl7.enabled);
  ASSERT_EQ(outcome.config->sites[0].hl7.senders.size(), 2u);
  EXPECT_EQ(outcome.config->sites[0].hl7.senders[1].facility, "DEMO_ER");
  EXPECT_TRUE(outcome.config->sites[0].hl7.senders[1].application.empty());
}

TEST(Hl7Config, SectionEnablesTheListenerWithItsSettings) {
  auto outcome = loadConfigText(kBase + R"(
hl7:
  port: 12575
  io_threads: 8
  store_timeout_ms: 2500
  duplicate_window_hours: 24
)", "t.yaml", "/tmp");
  ASSERT_TRUE(outcome.config) << problems(outcome);
  const Hl7Config& hl7 = outcome.config->hl7;
  EXPECT_TRUE(hl7.enabled);
  EXPECT_EQ(hl7.port, 12575);
  EXPECT_EQ(hl7.io_threads, 8);
  EXPECT_EQ(hl7.store_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(hl7.duplicate_window, std::chrono::hours(24));
}

TEST(Hl7Config, BadValuesAreNamed) {
  auto outcome = loadConfigText(kBase + R"(
hl7:
  io_threads: 0
  store_timeout_ms: 5
  duplicate_window_hours: 0
)", "t.yaml", "/tmp");
  EXPECT_FALSE(outcome.config);
  const std::string text = problems(outcome);
  EXPECT_NE(text.find("hl7.io_threads"), std::string::npos) << text;
  EXPECT_NE(text.find("store_timeout_ms"), std::string::npos) << text;
  EXPECT_NE(text.find("hl7.duplicate_window_hours"), std::string::npos) << text;
}

}  // namespace
}  // namespace sundial::config
