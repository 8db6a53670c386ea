// The rules' roster built from a loaded configuration: each site's contract SLA minutes per
// priority (its own `sla:` over worklist.sla), which rules read as f.site.sla_minutes.

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/config/config_loader.h"
#include "engine/roster/roster_from_config.h"

namespace sundial::engine {
namespace {

const std::string kConfig = R"(node:
  data_dir: /tmp/sundial-roster-from-config-test
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
sites:
  - name: ER1
    time_zone: America/Chicago
    state: TX
    callers: [{ae_title: CT1, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE]
    sla: {stat_minutes: 20, routine_minutes: 720}
  - name: CLINIC
    time_zone: America/New_York
    state: NY
    callers: [{ae_title: CR1, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE]
worklist:
  sla: {stat_minutes: 45, urgent_minutes: 180, routine_minutes: 2880}
)";

std::shared_ptr<const rules::Roster> roster() {
  auto outcome = config::loadConfigText(kConfig, "config.yaml", std::filesystem::temp_directory_path());
  std::string problems;
  for (const auto& p : outcome.problems) problems += p.describe() + "\n";
  EXPECT_TRUE(outcome.config) << problems;
  if (!outcome.config) return nullptr;
  auto built = rosterFromConfig(*outcome.config);
  EXPECT_TRUE(built.ok()) << (built.ok() ? "" : built.error().describe());
  return built.ok() ? built.value() : nullptr;
}

TEST(RosterFromConfig, SiteSlaOverridesTheWorklistDefaultsPerPriority) {
  auto r = roster();
  ASSERT_NE(r, nullptr);
  const rules::SiteProfile* er = r->findSite("ER1");
  ASSERT_NE(er, nullptr);
  const std::map<OrderPriority, int> expected{
      {OrderPriority::Stat, 20}, {OrderPriority::Urgent, 180}, {OrderPriority::Routine, 720}};
  EXPECT_EQ(er->sla_minutes, expected);
}

TEST(RosterFromConfig, SiteWithoutSlaGetsTheWorklistDefaults) {
  auto r = roster();
  ASSERT_NE(r, nullptr);
  const rules::SiteProfile* clinic = r->findSite("CLINIC");
  ASSERT_NE(clinic, nullptr);
  const std::map<OrderPriority, int> expected{
      {OrderPriority::Stat, 45}, {OrderPriority::Urgent, 180}, {OrderPriority::Routine, 2880}};
  EXPECT_EQ(clinic->sla_minutes, expected);
}

}  // namespace
}  // namespace sundial::engine
