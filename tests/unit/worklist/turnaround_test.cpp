#include "worklist/turnaround.h"

#include <gtest/gtest.h>

namespace sundial::worklist {
namespace {

using namespace std::chrono_literals;

const UtcTime kT0 = fromEpochMs(1'800'000'000'000);

Task delivered(const std::string& site, Priority priority, std::chrono::milliseconds tat,
               std::chrono::milliseconds sla = 30min, const std::string& reader = "drlee") {
  Task t;
  t.site = site;
  t.modality = "CT";
  t.priority = priority;
  t.claimed_by = reader;
  t.times.study_complete = kT0;
  t.times.assigned = kT0 + 1min;
  t.times.claimed = kT0 + 2min;
  t.times.final_report = kT0 + tat - 1min;
  t.times.delivered = kT0 + tat;
  t.due = kT0 + sla;
  t.state = TaskState::Delivered;
  return t;
}

TEST(Turnaround, NearestRankPercentiles) {
  std::vector<long long> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_EQ(percentileNearestRank(v, 50), 50);
  EXPECT_EQ(percentileNearestRank(v, 90), 90);
  EXPECT_EQ(percentileNearestRank(v, 99), 99);
  EXPECT_EQ(percentileNearestRank({7}, 99), 7);
  EXPECT_EQ(percentileNearestRank({1, 2, 3}, 50), 2);
  EXPECT_EQ(percentileNearestRank({}, 50), 0);
}

TEST(Turnaround, GroupsAndComplianceBySiteAndPriority) {
  std::vector<Task> tasks;
  for (int i = 1; i <= 10; ++i) tasks.push_back(delivered("north", Priority::Stat, i * 5min));
  tasks.push_back(delivered("south", Priority::Routine, 2h, 24h));
  Task open = delivered("north", Priority::Stat, 1min);
  open.times.delivered = UtcTime{};  // not delivered: not counted
  tasks.push_back(open);

  auto rows = computeTurnaround(tasks, {TatDimension::Site, TatDimension::Priority});
  ASSERT_EQ(rows.size(), 2u);
  const TatRow& north = rows[0];
  EXPECT_EQ(north.group.at(TatDimension::Site), "north");
  EXPECT_EQ(north.group.at(TatDimension::Priority), "STAT");
  EXPECT_EQ(north.tasks, 10u);
  EXPECT_EQ(north.sla_met, 6u) << "5..30 min are within 30 min, 35..50 are not";
  EXPECT_DOUBLE_EQ(north.sla_compliance, 0.6);
  const TatPercentiles& c = north.intervals.at("contractual");
  EXPECT_EQ(c.count, 10u);
  EXPECT_EQ(c.p50_ms, 25 * 60'000);
  EXPECT_EQ(c.p90_ms, 45 * 60'000);
  EXPECT_EQ(c.p99_ms, 50 * 60'000);
  EXPECT_EQ(north.intervals.at("assigned_to_claimed").p50_ms, 60'000);
  EXPECT_EQ(north.intervals.at("final_to_delivered").p99_ms, 60'000);
  EXPECT_EQ(rows[1].group.at(TatDimension::Site), "south");
  EXPECT_DOUBLE_EQ(rows[1].sla_compliance, 1.0);
}

TEST(Turnaround, NoGroupingIsOneRowAndReaderGroupsByWhoReported) {
  std::vector<Task> tasks = {delivered("north", Priority::Stat, 10min, 30min, "a"),
                             delivered("north", Priority::Stat, 20min, 30min, "b")};
  auto all = computeTurnaround(tasks, {});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].tasks, 2u);
  EXPECT_TRUE(all[0].group.empty());
  auto by_reader = computeTurnaround(tasks, {TatDimension::Reader});
  ASSERT_EQ(by_reader.size(), 2u);
  EXPECT_EQ(by_reader[1].group.at(TatDimension::Reader), "b");
  EXPECT_EQ(by_reader[1].intervals.at("contractual").p50_ms, 20 * 60'000);
}

TEST(Turnaround, ContractualClockStartsAtTheLaterOrder) {
  Task t = delivered("north", Priority::Urgent, 60min, 2h);
  t.times.ordered = kT0 + 20min;  // the order came after the images
  auto rows = computeTurnaround({t}, {});
  EXPECT_EQ(rows[0].intervals.at("contractual").p50_ms, 40 * 60'000);
}

// 2026-03-08 is the US change to daylight-saving time (02:00 local clocks jump to 03:00 in
// Chicago, 08:00 UTC). A study completed at 01:30 local and delivered at 03:30 local took one
// hour, not two: intervals are between UTC instants.
TEST(Turnaround, IntervalsAcrossADaylightSavingChangeAreRealElapsedTime) {
  const UtcTime complete = fromEpochMs(1'772'955'000'000);  // 2026-03-08T07:30:00Z = 01:30 CST
  Task t;
  t.site = "north";
  t.priority = Priority::Stat;
  t.times.study_complete = complete;
  t.times.delivered = complete + 1h;  // 08:30Z = 03:30 CDT
  t.due = complete + 30min;
  auto rows = computeTurnaround({t}, {});
  EXPECT_EQ(rows[0].intervals.at("contractual").p50_ms, 3'600'000);
  EXPECT_EQ(rows[0].sla_met, 0u);
}

TEST(Turnaround, DimensionNamesRoundTrip) {
  for (auto d : {TatDimension::Site, TatDimension::Modality, TatDimension::Priority, TatDimension::Reader}) {
    EXPECT_EQ(parseTatDimension(tatDimensionName(d)), d);
  }
  EXPECT_FALSE(parseTatDimension("colour").has_value());
}

}  // namespace
}  // namespace sundial::worklist
