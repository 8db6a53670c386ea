#include "engine/tracker/study_tracker.h"

#include <gtest/gtest.h>

namespace sundial::engine {
namespace {

using std::chrono::milliseconds;
const SteadyTime t0{std::chrono::hours(1)};

TEST(StudyTracker, CompletesAfterQuietPeriod) {
  StudyTracker tracker;
  tracker.onInstance("1.2.3", "1.2.3.1", "DEMO", "CT", t0, milliseconds(3000));
  EXPECT_TRUE(tracker.takeCompleted(t0 + milliseconds(2999)).empty());
  auto done = tracker.takeCompleted(t0 + milliseconds(3000));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].study_uid, "1.2.3");
  EXPECT_EQ(done[0].site, "DEMO");
  EXPECT_EQ(tracker.openStudies(), 0u);
}

TEST(StudyTracker, EachInstanceRearmsTheTimer) {
  StudyTracker tracker;
  tracker.onInstance("1.2.3", "s1", "DEMO", "CT", t0, milliseconds(3000));
  tracker.onInstance("1.2.3", "s1", "DEMO", "CT", t0 + milliseconds(2000), milliseconds(3000));
  EXPECT_TRUE(tracker.takeCompleted(t0 + milliseconds(4000)).empty());
  EXPECT_EQ(*tracker.nextDeadline(), t0 + milliseconds(5000));
  EXPECT_EQ(tracker.takeCompleted(t0 + milliseconds(5000)).size(), 1u);
}

TEST(StudyTracker, GroupsSeriesAndCountsInstances) {
  StudyTracker tracker;
  tracker.onInstance("1.2.3", "s1", "DEMO", "CT", t0, milliseconds(100));
  tracker.onInstance("1.2.3", "s2", "DEMO", "CT", t0, milliseconds(100));
  tracker.onInstance("1.2.3", "s2", "DEMO", "CT", t0, milliseconds(100));
  auto done = tracker.takeCompleted(t0 + milliseconds(100));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].series, 2u);
  EXPECT_EQ(done[0].instances, 3);
}

TEST(StudyTracker, CompletesStudiesIndependentlyOldestFirst) {
  StudyTracker tracker;
  tracker.onInstance("A", "a1", "DEMO", "CR", t0, milliseconds(1000));
  tracker.onInstance("B", "b1", "DEMO", "CT", t0 + milliseconds(10), milliseconds(500));
  auto first = tracker.takeCompleted(t0 + milliseconds(600));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].study_uid, "B");
  EXPECT_EQ(tracker.takeCompleted(t0 + milliseconds(1000))[0].study_uid, "A");
}

TEST(StudyTracker, LongestQuietPeriodOfAMixedStudyWins) {
  StudyTracker tracker;
  tracker.onInstance("A", "a1", "DEMO", "CT", t0, milliseconds(5000));
  tracker.onInstance("A", "a2", "DEMO", "SR", t0 + milliseconds(10), milliseconds(100));
  EXPECT_TRUE(tracker.takeCompleted(t0 + milliseconds(1000)).empty());
  EXPECT_EQ(tracker.takeCompleted(t0 + milliseconds(5010)).size(), 1u);
}

TEST(StudyTracker, LateInstanceReopensACompletedStudy) {
  StudyTracker tracker;
  tracker.onInstance("A", "a1", "DEMO", "CT", t0, milliseconds(100));
  ASSERT_EQ(tracker.takeCompleted(t0 + milliseconds(100)).size(), 1u);
  tracker.onInstance("A", "a1", "DEMO", "CT", t0 + milliseconds(500), milliseconds(100));
  EXPECT_EQ(tracker.openStudies(), 1u);
  EXPECT_EQ(tracker.takeCompleted(t0 + milliseconds(600)).size(), 1u);
}

TEST(StudyTracker, RearmAfterRestart) {
  StudyTracker tracker;
  tracker.rearm("A", "DEMO", "CT", t0 + milliseconds(700));
  EXPECT_TRUE(tracker.takeCompleted(t0 + milliseconds(699)).empty());
  EXPECT_EQ(tracker.takeCompleted(t0 + milliseconds(700)).size(), 1u);
}

}  // namespace
}  // namespace sundial::engine
