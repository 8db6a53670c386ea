#include "worklist/sla_policy.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"

namespace sundial::worklist {
namespace {

using namespace std::chrono_literals;

SlaPolicy policy() {
  SlaTargets north;
  north.stat = 20min;
  north.urgent = 1h;
  north.routine = 12h;
  north.warn_fraction = 0.5;
  return SlaPolicy(SlaTargets{}, {{"north", north}});
}

TEST(SlaPolicy, DueFromTheSitesTargetsElseTheDefaults) {
  testing::FakeClock clock;
  const UtcTime start = clock.utcNow();
  EXPECT_EQ(policy().dueAt("north", Priority::Stat, start), start + 20min);
  EXPECT_EQ(policy().dueAt("north", Priority::Routine, start), start + 12h);
  EXPECT_EQ(policy().dueAt("south", Priority::Stat, start), start + 30min);
  EXPECT_EQ(policy().dueAt("south", Priority::Urgent, start), start + 2h);
  EXPECT_EQ(policy().dueAt("south", Priority::Routine, start), start + 24h);
}

TEST(SlaPolicy, WarningAtTheConfiguredFraction) {
  testing::FakeClock clock;
  const UtcTime start = clock.utcNow();
  EXPECT_EQ(policy().warnAt("north", start, start + 20min), start + 10min);
  EXPECT_EQ(policy().warnAt("south", start, start + 2h), start + 90min);
  // A due time already past: warn at once (at due).
  EXPECT_EQ(policy().warnAt("south", start, start - 1min), start - 1min);
}

TEST(SlaPolicy, ClockStartsAtStudyCompleteOrTheLaterOrder) {
  testing::FakeClock clock;
  TaskTimes times;
  times.created = clock.utcNow();
  EXPECT_EQ(SlaPolicy::clockStart(times), times.created);
  times.study_complete = clock.utcNow() - 10min;
  EXPECT_EQ(SlaPolicy::clockStart(times), times.study_complete);
  times.ordered = clock.utcNow() - 20min;  // ordered before the images: study complete counts
  EXPECT_EQ(SlaPolicy::clockStart(times), times.study_complete);
  times.ordered = clock.utcNow() - 5min;   // the order came after the images
  EXPECT_EQ(SlaPolicy::clockStart(times), times.ordered);
}

}  // namespace
}  // namespace sundial::worklist
