// The roster in the configuration: `readers:`, site `coverage:`, and the rules section's pools
// and fallback pool, with file:line errors for unknown sites, destinations, pools and zones.

#include <gtest/gtest.h>

#include <filesystem>

#include "engine/config/config_loader.h"

namespace sundial::config {
namespace {

const std::string kBase = R"(node:
  data_dir: /tmp/sundial-roster-test
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
  - {name: WS1, ae_title: WS1, host: 127.0.0.1, port: 11114}
sites:
  - name: ER1
    time_zone: America/Chicago
    state: TX
    callers: [{ae_title: CT1, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE]
    coverage:
      - {days: [mon-fri], from: "07:00", to: "18:00"}
)";

LoadOutcome load(const std::string& extra) {
  return loadConfigText(kBase + extra, "config.yaml", std::filesystem::temp_directory_path());
}

std::string problems(const LoadOutcome& outcome) {
  std::string out;
  for (const auto& p : outcome.problems) out += p.describe() + "\n";
  return out;
}

const std::string kRules = R"(rules:
  pools:
    - {name: remote, mode: push}
    - {name: overflow, mode: pull}
  fallback_pool: overflow
)";

TEST(RosterConfig, ReadsReadersWithShiftsAndSiteCoverage) {
  auto outcome = load(kRules + R"(readers:
  - id: dr_a
    name: Dr A
    licences: [TX, NY]
    credentials: [ER1]
    subspecialties: [neuro]
    modalities: [CT, MR]
    time_zone: America/New_York
    shifts:
      - {days: weekdays, from: "18:00", to: "07:00"}
      - {days: [sat, sun], from: "00:00", to: "24:00"}
    destination: WS1
    pools: [remote]
    rvu_capacity: 40
)");
  ASSERT_TRUE(outcome.config) << problems(outcome);
  const Config& c = *outcome.config;
  ASSERT_EQ(c.readers.size(), 1u);
  const ReaderConfig& r = c.readers[0];
  EXPECT_EQ(r.display_name, "Dr A");
  EXPECT_EQ(r.licences, (std::vector<std::string>{"TX", "NY"}));
  EXPECT_EQ(r.time_zone, "America/New_York");
  ASSERT_EQ(r.shifts.size(), 2u);
  EXPECT_EQ(r.shifts[0].weekdays, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(r.shifts[0].start_minute, 18 * 60);
  EXPECT_EQ(r.shifts[0].end_minute, 7 * 60);
  EXPECT_EQ(r.shifts[1].weekdays, (std::vector<int>{6, 0}));
  EXPECT_EQ(r.shifts[1].end_minute, 1440);
  EXPECT_EQ(r.rvu_capacity, 40);
  ASSERT_EQ(c.sites[0].coverage.hours.size(), 1u);
  EXPECT_EQ(c.sites[0].coverage.hours[0].weekdays, (std::vector<int>{1, 2, 3, 4, 5}));
  ASSERT_EQ(c.rules.pools.size(), 2u);
  EXPECT_EQ(c.rules.pools[1].mode, PoolMode::Pull);
  EXPECT_EQ(c.rules.fallback_pool, "overflow");
}

TEST(RosterConfig, NamesEveryBadReferenceWithItsLine) {
  auto outcome = load(kRules + R"(readers:
  - id: dr_b
    licences: [TX]
    credentials: [ER9]
    modalities: [CT]
    time_zone: Mars/Olympus
    shifts:
      - {days: [mon, funday], from: "7:00", to: "25:00"}
    destination: WS9
    pools: [nights]
)");
  ASSERT_FALSE(outcome.config);
  const std::string text = problems(outcome);
  EXPECT_NE(text.find("config.yaml:22: reader 'dr_b' is credentialed at unknown site 'ER9'"), std::string::npos) << text;
  EXPECT_NE(text.find("config.yaml:24: reader 'dr_b'.time_zone: unknown time zone 'Mars/Olympus'"), std::string::npos) << text;
  EXPECT_NE(text.find("'funday' is not a day"), std::string::npos) << text;
  EXPECT_NE(text.find("from must be a time HH:MM"), std::string::npos) << text;
  EXPECT_NE(text.find("to must be a time HH:MM"), std::string::npos) << text;
  EXPECT_NE(text.find("config.yaml:27: reader 'dr_b'.destination names unknown destination 'WS9'"), std::string::npos) << text;
  EXPECT_NE(text.find("config.yaml:28: reader 'dr_b' belongs to pool 'nights'"), std::string::npos) << text;
}

TEST(RosterConfig, RefusesDuplicateIdsMissingFieldsAndUnknownKeys) {
  auto outcome = load(kRules + R"(readers:
  - {id: dr_c, modalities: [CT], destination: WS1}
  - {id: dr_c, modalities: [CT], destination: WS1, licence: [TX]}
  - {id: dr_d}
)");
  ASSERT_FALSE(outcome.config);
  const std::string text = problems(outcome);
  EXPECT_NE(text.find("reader id 'dr_c' is used twice"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown key 'licence' in reader"), std::string::npos) << text;
  EXPECT_NE(text.find("reader 'dr_d' needs a destination"), std::string::npos) << text;
  EXPECT_NE(text.find("reader 'dr_d' needs modalities"), std::string::npos) << text;
}

TEST(RulesConfig, FolderNeedsAFallbackPoolThatIsDeclared) {
  const auto dir = std::filesystem::temp_directory_path() / "sundial-rules-config-test";
  std::filesystem::create_directories(dir);
  auto outcome = loadConfigText(kBase + "rules:\n  folder: " + dir.string() +
                                    "\n  pools: [{name: remote, mode: sideways}]\n"
                                    "  fallback_pool: nights\n",
                                "config.yaml", std::filesystem::temp_directory_path());
  ASSERT_FALSE(outcome.config);
  const std::string text = problems(outcome);
  EXPECT_NE(text.find("pool 'remote'.mode must be 'push' or 'pull'"), std::string::npos) << text;
  EXPECT_NE(text.find("rules.fallback_pool 'nights' is not one of rules.pools"), std::string::npos) << text;
  auto no_fallback = loadConfigText(kBase + "rules:\n  folder: " + dir.string() + "\n",
                                    "config.yaml", std::filesystem::temp_directory_path());
  EXPECT_NE(problems(no_fallback).find("rules.fallback_pool is required"), std::string::npos);
  auto missing = loadConfigText(kBase + "rules:\n  folder: no/such/folder\n  pools: [{name: p}]\n  fallback_pool: p\n",
                                "config.yaml", std::filesystem::temp_directory_path());
  EXPECT_NE(problems(missing).find("is not a folder"), std::string::npos) << problems(missing);
  std::filesystem::remove_all(dir);
}

TEST(RosterConfig, ChecksSiteTimeZonesWhenThereIsARoster) {
  std::string text = kBase;
  text.replace(text.find("America/Chicago"), 15, "America/Chicagoo");
  auto outcome = loadConfigText(text, "config.yaml", std::filesystem::temp_directory_path());
  ASSERT_FALSE(outcome.config);
  EXPECT_NE(problems(outcome).find("config.yaml:8: site 'ER1'.time_zone: unknown time zone"),
            std::string::npos) << problems(outcome);
}

}  // namespace
}  // namespace sundial::config
