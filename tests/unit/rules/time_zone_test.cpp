// The time-zone interface (engine/domain/time_zone.h) and weekly windows, which the rules'
// shift and coverage checks rest on.

#include "engine/domain/time_zone.h"

#include <gtest/gtest.h>

#include "rules/api/roster.h"

namespace sundial {
namespace {

UtcTime at(long long epoch_s) { return fromEpochMs(epoch_s * 1000); }

TEST(TimeZone, ChicagoIsSixHoursBehindInWinterAndFiveInSummer) {
  auto zone = TimeZone::load("America/Chicago");
  ASSERT_TRUE(zone.ok()) << zone.error().describe();
  EXPECT_EQ(zone.value()->offsetAt(at(1796137200)), std::chrono::hours(-6));  // 2026-12-01
  EXPECT_EQ(zone.value()->offsetAt(at(1782918000)), std::chrono::hours(-5));  // 2026-07-01
  const LocalTime local = zone.value()->localTime(at(1796137200));
  EXPECT_EQ(local.describe(), "2026-12-01T09:00:00-06:00");
  EXPECT_EQ(local.weekday, 2);  // Tuesday
}

TEST(TimeZone, SwitchesAtTheTransitionInstant) {
  // US DST began 2026-03-08 at 08:00 UTC (02:00 CST).
  auto zone = TimeZone::load("America/Chicago");
  ASSERT_TRUE(zone.ok());
  EXPECT_EQ(zone.value()->localTime(at(1772956799)).describe(), "2026-03-08T01:59:59-06:00");
  EXPECT_EQ(zone.value()->localTime(at(1772956800)).describe(), "2026-03-08T03:00:00-05:00");
}

TEST(TimeZone, UnknownAndMalformedNamesAreRefused) {
  auto unknown = TimeZone::load("Mars/Olympus");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
  auto escape = TimeZone::load("../../etc/passwd");
  ASSERT_FALSE(escape.ok());
  EXPECT_EQ(escape.error().code, ErrorCode::InvalidInput);
  auto folder = TimeZone::load("America");
  EXPECT_FALSE(folder.ok());
}

TEST(WeeklyWindow, OvernightWindowCoversTheMorningOfTheNextDay) {
  // A night shift starting Friday 18:00 until 07:00.
  const std::vector<rules::WeeklyWindow> nights{{{5}, 18 * 60, 7 * 60}};
  LocalTime t;
  t.weekday = 5;
  t.hour = 23;
  EXPECT_TRUE(rules::windowsContain(nights, t));
  t.weekday = 6;
  t.hour = 6;
  t.minute = 59;
  EXPECT_TRUE(rules::windowsContain(nights, t));
  t.hour = 7;
  t.minute = 0;
  EXPECT_FALSE(rules::windowsContain(nights, t));
  t.weekday = 5;
  t.hour = 6;
  EXPECT_FALSE(rules::windowsContain(nights, t));  // Friday morning belongs to Thursday's night
}

TEST(WeeklyWindow, EndIsExclusiveAndMidnightEndsTheDay) {
  const std::vector<rules::WeeklyWindow> day{{{1}, 7 * 60, 1440}};
  LocalTime t;
  t.weekday = 1;
  t.hour = 23;
  t.minute = 59;
  EXPECT_TRUE(rules::windowsContain(day, t));
  t.hour = 6;
  EXPECT_FALSE(rules::windowsContain(day, t));
}

}  // namespace
}  // namespace sundial
