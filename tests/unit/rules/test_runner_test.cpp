// The admins' test runner: cases in Lua, a pass/fail report naming what differs.

#include "rules/testing/test_runner.h"

#include <gtest/gtest.h>

#include "roster_fixture.h"

namespace sundial::rules {
namespace {

std::shared_ptr<const RuleSet> setWith(const std::string& tests) {
  auto set = makeRuleSet(
      {{"10_route.lua",
        "function route(f)\n"
        "  if f.order.priority == 'STAT' then\n"
        "    return {reader = sundial.least_loaded(sundial.eligible({subspecialty = 'neuro'})), "
        "priority = 'STAT', tags = {'stroke'}}\n"
        "  end\n"
        "  return {pool = 'remote'}\n"
        "end\n"}},
      {{"tests/a_test.lua", tests}});
  if (!set.ok()) throw std::runtime_error(set.error().describe());
  return set.value();
}

TEST(RuleTestRunner, ReportsPassAndFailWithWhatDiffers) {
  auto report = runRuleTests(setWith(R"(
cases = {
  { name = 'stat to neuro', now = '2026-12-01T15:00:00Z',
    study = { site = 'ER1', modality = 'CT', body_part = 'HEAD' },
    order = { priority = 'STAT' },
    expect = { reader = 'neuro1', priority = 'STAT', destinations = { 'WS2' }, tags = { 'stroke' },
               rejected = { remote2 = 'licence' } } },
  { name = 'routine expected to neuro (wrong)', now = '2026-12-01T09:00',
    study = { site = 'ER1', modality = 'CT' },
    expect = { reader = 'neuro1', priority = 'ROUTINE' } },
  { name = 'neuro offline falls back', now = '2026-12-01T09:00-06:00',
    study = { site = 'ER1', modality = 'CT' }, order = { priority = 'STAT' },
    readers = { neuro1 = { online = false } },
    expect = { fallback = true, pool = 'fallback', rejected = { neuro1 = 'online' } } },
}
)"), testing::makeRoster());
  ASSERT_TRUE(report.ok()) << report.error().describe();
  const TestReport& r = report.value();
  EXPECT_EQ(r.passed, 2);
  EXPECT_EQ(r.failed, 1);
  EXPECT_FALSE(r.ok());
  const std::string text = r.describe();
  EXPECT_NE(text.find("PASS tests/a_test.lua: stat to neuro"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL tests/a_test.lua: routine expected to neuro (wrong)\n"
                      "    reader: expected neuro1, got (none)\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("decided: pool remote, ROUTINE"), std::string::npos) << text;
  EXPECT_NE(text.find("2 passed, 1 failed"), std::string::npos) << text;
}

TEST(RuleTestRunner, ACaseThatCannotBeUnderstoodNamesFileCaseAndField) {
  for (const auto& [cases, message] : std::vector<std::pair<std::string, std::string>>{
           {"cases = { { name = 'x', now = 'tomorrow', study = { site = 'ER1', modality = 'CT' }, expect = {} } }",
            "case 1 (x): now: 'tomorrow' is not a time"},
           {"cases = { { name = 'y', now = '2026-12-01T09:00Z', study = { site = 'MARS', modality = 'CT' }, expect = {} } }",
            "case 1 (y): study.site 'MARS' is not a site"},
           {"cases = { { name = 'z', now = '2026-12-01T09:00Z', study = { site = 'ER1', modality = 'CT' }, expect = { radiologist = 'a' } } }",
            "expect.radiologist is not something a case can expect"},
           {"cases = { { name = 'w', now = '2026-12-01T09:00Z', study = { site = 'ER1', modality = 'CT' }, readers = { drx = {} }, expect = {} } }",
            "readers.drx is not a reader"},
           {"cases = 42", "cases must be a list"},
       }) {
    auto report = runRuleTests(setWith(cases), testing::makeRoster());
    ASSERT_FALSE(report.ok()) << cases;
    EXPECT_NE(report.error().message.find(message), std::string::npos) << report.error().message;
    EXPECT_NE(report.error().message.find("tests/a_test.lua"), std::string::npos);
  }
}

TEST(RuleTime, ParsesUtcOffsetsAndSiteWallTime) {
  auto zone = TimeZone::load("America/Chicago");
  ASSERT_TRUE(zone.ok());
  const UtcTime expected = testing::tuesdayMorningChicago();  // 15:00Z
  EXPECT_EQ(parseTime("2026-12-01T15:00:00Z", nullptr).value(), expected);
  EXPECT_EQ(parseTime("2026-12-01T09:00-06:00", nullptr).value(), expected);
  EXPECT_EQ(parseTime("2026-12-01T09:00", zone.value().get()).value(), expected);
  EXPECT_EQ(parseTime("2026-07-01T10:00", zone.value().get()).value(),
            fromEpochMs(1782918000000LL));  // CDT, -5
  EXPECT_FALSE(parseTime("2026-12-01T09:00", nullptr).ok());
  EXPECT_FALSE(parseTime("2026-02-30T09:00Z", nullptr).ok());
  EXPECT_FALSE(parseTime("2026-12-01T25:00Z", nullptr).ok());
}

}  // namespace
}  // namespace sundial::rules
