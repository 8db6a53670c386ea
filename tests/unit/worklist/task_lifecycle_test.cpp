#include "worklist/task_lifecycle.h"

#include <gtest/gtest.h>

namespace sundial::worklist {
namespace {

using namespace std::chrono_literals;

const UtcTime kNow = fromEpochMs(1'800'000'000'000);
const LifecyclePolicy kPolicy{10min};

Task taskIn(TaskState state) {
  Task t;
  t.id = "T1";
  t.site = "north";
  t.study_uids = {"1.2.3"};
  t.state = state;
  t.pool = "night";
  t.version = 4;
  switch (state) {
    case TaskState::Assigned:
      t.assigned_reader = "alice";
      break;
    case TaskState::Claimed:
    case TaskState::InProgress:
      t.claimed_by = "alice";
      t.lease_expires = kNow + 5min;
      break;
    case TaskState::Preliminary:
    case TaskState::Final:
    case TaskState::Delivered:
      t.claimed_by = "alice";
      t.last_delivery_id = "d1";
      break;
    default:
      break;
  }
  return t;
}

Result<Transition> run(const Task& t, const TaskCommand& c, UtcTime now = kNow) {
  return applyCommand(t, c, "tester", now, kPolicy);
}

void expectMove(const Task& t, const TaskCommand& c, TaskState to, std::string_view event) {
  auto r = run(t, c);
  ASSERT_TRUE(r.ok()) << taskStateName(t.state) << ": " << r.error().message;
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->after.state, to) << "from " << taskStateName(t.state);
  EXPECT_EQ(r->event.type, event);
  EXPECT_EQ(r->event.from, t.state);
  EXPECT_EQ(r->event.to, to);
  EXPECT_EQ(r->event.actor, "tester");
  EXPECT_EQ(r->event.at, kNow);
  EXPECT_EQ(r->after.version, t.version + 1);
}

void expectRefused(const Task& t, const TaskCommand& c, std::string_view why) {
  auto r = run(t, c);
  ASSERT_FALSE(r.ok()) << "from " << taskStateName(t.state) << " it was allowed";
  EXPECT_EQ(r.error().code, ErrorCode::Rejected);
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(std::string(taskStateName(t.state))), std::string::npos)
      << "the message names the current state: " << r.error().message;
}

TEST(TaskLifecycle, ClaimFromPoolOrOwnAssignmentTakesALease) {
  for (TaskState s : {TaskState::Queued, TaskState::Escalated}) {
    expectMove(taskIn(s), command::Claim{"alice"}, TaskState::Claimed, kEventClaimed);
  }
  auto r = run(taskIn(TaskState::Assigned), command::Claim{"alice"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->after.claimed_by, "alice");
  EXPECT_EQ(r->after.lease_expires, kNow + 10min);
  EXPECT_EQ(r->after.times.claimed, kNow);
}

TEST(TaskLifecycle, ClaimRefusedWhenAnotherReaderHoldsIt) {
  expectRefused(taskIn(TaskState::Claimed), command::Claim{"bob"}, "already claimed by reader alice");
  expectRefused(taskIn(TaskState::InProgress), command::Claim{"bob"}, "already claimed by reader alice");
  expectRefused(taskIn(TaskState::Assigned), command::Claim{"bob"}, "assigned to reader alice");
}

TEST(TaskLifecycle, ClaimRefusedOnceReportedOrClosed) {
  for (TaskState s : {TaskState::Preliminary, TaskState::Final, TaskState::Delivered,
                      TaskState::Cancelled}) {
    expectRefused(taskIn(s), command::Claim{"alice"}, "no longer open");
  }
}

TEST(TaskLifecycle, ClaimAgainByHolderRenewsTheLease) {
  auto r = run(taskIn(TaskState::Claimed), command::Claim{"alice"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->event.type, kEventLeaseRenewed);
  EXPECT_EQ(r->after.state, TaskState::Claimed);
  EXPECT_EQ(r->after.lease_expires, kNow + 10min);
}

TEST(TaskLifecycle, ALapsedClaimCanBeTakenOver) {
  Task t = taskIn(TaskState::Claimed);
  auto r = run(t, command::Claim{"bob"}, t.lease_expires + 1ms);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->after.claimed_by, "bob");
  EXPECT_NE(r->event.reason.find("lapsed"), std::string::npos);
}

TEST(TaskLifecycle, LeaseLapseReturnsTaskToItsReaderOrPool) {
  Task pooled = taskIn(TaskState::Claimed);
  auto r = run(pooled, command::LapseLease{}, pooled.lease_expires);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->after.state, TaskState::Queued);
  EXPECT_TRUE(r->after.claimed_by.empty());
  EXPECT_EQ(r->after.lease_expires, UtcTime{});

  Task pushed = taskIn(TaskState::InProgress);
  pushed.assigned_reader = "alice";
  r = run(pushed, command::LapseLease{}, pushed.lease_expires);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->after.state, TaskState::Assigned);

  expectRefused(taskIn(TaskState::Claimed), command::LapseLease{}, "has not run out");
  auto noop = run(taskIn(TaskState::Queued), command::LapseLease{});
  ASSERT_TRUE(noop.ok());
  EXPECT_FALSE(noop->changed);
}

TEST(TaskLifecycle, RenewLeaseOnlyByHolderBeforeItLapses) {
  auto r = run(taskIn(TaskState::InProgress), command::RenewLease{"alice"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->after.lease_expires, kNow + 10min);
  expectRefused(taskIn(TaskState::Claimed), command::RenewLease{"bob"}, "claimed by reader alice");
  expectRefused(taskIn(TaskState::Queued), command::RenewLease{"alice"}, "only a claimed task");
  Task t = taskIn(TaskState::Claimed);
  auto late = run(t, command::RenewLease{"alice"}, t.lease_expires + 1ms);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.error().message.find("already lapsed"), std::string::npos);
}

TEST(TaskLifecycle, ReleaseByHolderOnly) {
  expectMove(taskIn(TaskState::Claimed), command::Release{"alice", ""}, TaskState::Queued,
             kEventReleased);
  expectMove(taskIn(TaskState::InProgress), command::Release{"alice", ""}, TaskState::Queued,
             kEventReleased);
  expectRefused(taskIn(TaskState::Claimed), command::Release{"bob", ""}, "claimed by reader alice");
  for (TaskState s : {TaskState::Queued, TaskState::Assigned, TaskState::Preliminary,
                      TaskState::Final, TaskState::Delivered, TaskState::Escalated,
                      TaskState::Cancelled}) {
    expectRefused(taskIn(s), command::Release{"alice", ""}, "only a claimed task");
  }
}

TEST(TaskLifecycle, ReleaseOfAnEscalatedTaskGoesBackToEscalated) {
  Task t = taskIn(TaskState::Claimed);
  t.sla_breached = true;
  expectMove(t, command::Release{"alice", ""}, TaskState::Escalated, kEventReleased);
}

TEST(TaskLifecycle, StartNeedsOwnClaim) {
  expectMove(taskIn(TaskState::Claimed), command::Start{"alice"}, TaskState::InProgress,
             kEventStarted);
  expectRefused(taskIn(TaskState::Claimed), command::Start{"bob"}, "claimed by reader alice");
  for (TaskState s : {TaskState::Queued, TaskState::Assigned, TaskState::Escalated,
                      TaskState::Preliminary, TaskState::Final, TaskState::Delivered,
                      TaskState::Cancelled}) {
    expectRefused(taskIn(s), command::Start{"alice"}, "claim it before starting");
  }
  auto again = run(taskIn(TaskState::InProgress), command::Start{"alice"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
}

TEST(TaskLifecycle, ReaderReportsWhatTheyHold) {
  command::Report prelim{ReportStatus::Preliminary, "alice", false, "d2"};
  command::Report final{ReportStatus::Final, "alice", false, "d3"};
  expectMove(taskIn(TaskState::Claimed), prelim, TaskState::Preliminary, kEventPreliminary);
  expectMove(taskIn(TaskState::InProgress), final, TaskState::Final, kEventFinal);
  expectMove(taskIn(TaskState::Preliminary), final, TaskState::Final, kEventFinal);
  command::Report by_bob{ReportStatus::Final, "bob", false, "d4"};
  expectRefused(taskIn(TaskState::InProgress), by_bob, "claimed by reader alice");
  for (TaskState s : {TaskState::Queued, TaskState::Assigned, TaskState::Escalated}) {
    expectRefused(taskIn(s), final, "claim it before reporting");
  }
  expectRefused(taskIn(TaskState::Cancelled), final, "cancelled task takes no report");
  auto r = run(taskIn(TaskState::InProgress), final);
  EXPECT_EQ(r->after.times.final_report, kNow);
  EXPECT_EQ(r->after.last_delivery_id, "d3");
  EXPECT_EQ(r->after.lease_expires, UtcTime{});
}

TEST(TaskLifecycle, ReportingSystemReportIsAcceptedInAnyOpenState) {
  command::Report oru{ReportStatus::Final, "carol", true, "d9"};
  for (TaskState s : {TaskState::Queued, TaskState::Assigned, TaskState::Claimed,
                      TaskState::InProgress, TaskState::Escalated, TaskState::Preliminary}) {
    expectMove(taskIn(s), oru, TaskState::Final, kEventFinal);
  }
}

TEST(TaskLifecycle, CorrectionsAndAddendaAfterFinalAreRecordedAsSuch) {
  command::Report correction{ReportStatus::Corrected, "alice", true, "d5"};
  command::Report again{ReportStatus::Final, "alice", true, "d6"};
  expectMove(taskIn(TaskState::Final), correction, TaskState::Final, kEventCorrected);
  expectMove(taskIn(TaskState::Delivered), correction, TaskState::Final, kEventCorrected);
  expectMove(taskIn(TaskState::Delivered), again, TaskState::Final, kEventAddendum);
  expectRefused(taskIn(TaskState::Final), command::Report{ReportStatus::Preliminary, "alice", true, ""},
                "preliminary report after the final");
  expectRefused(taskIn(TaskState::InProgress), command::Report{ReportStatus::Corrected, "alice", true, ""},
                "needs a final report");
}

// Issue 5: a reporting system resending the final report under a new message control ID.
TEST(TaskLifecycle, AnIdenticalReportAfterFinalIsRecordedAsARepeatNotAnAddendum_Issue5) {
  for (TaskState s : {TaskState::Final, TaskState::Delivered}) {
    Task t = taskIn(s);
    t.report_hash = "hash-of-F-text";
    auto r = run(t, command::Report{ReportStatus::Final, "alice", true, "", "hash-of-F-text"});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r->changed) << "recorded in the history";
    EXPECT_EQ(r->event.type, kEventReportRepeated);
    EXPECT_EQ(r->after.state, s) << "a delivered task stays delivered";
    EXPECT_EQ(r->after.last_delivery_id, "d1") << "no new delivery";
    EXPECT_EQ(r->after.report_hash, "hash-of-F-text");
  }
  // Different text (or a different status): a real addendum or correction, sent again.
  Task t = taskIn(TaskState::Delivered);
  t.report_hash = "hash-of-F-text";
  auto addendum = run(t, command::Report{ReportStatus::Final, "alice", true, "d2", "hash-of-F-text-2"});
  ASSERT_TRUE(addendum.ok());
  EXPECT_EQ(addendum->event.type, kEventAddendum);
  EXPECT_EQ(addendum->after.state, TaskState::Final);
  EXPECT_EQ(addendum->after.last_delivery_id, "d2");
  EXPECT_EQ(addendum->after.report_hash, "hash-of-F-text-2");
  auto correction = run(t, command::Report{ReportStatus::Corrected, "alice", true, "d3", "hash-of-C-text"});
  ASSERT_TRUE(correction.ok());
  EXPECT_EQ(correction->event.type, kEventCorrected);
}

TEST(TaskLifecycle, CorrectionKeepsTheFirstDeliveryTimeForTurnaround) {
  Task t = taskIn(TaskState::Delivered);
  t.times.delivered = kNow - 1h;
  auto corrected = run(t, command::Report{ReportStatus::Corrected, "alice", true, "d7"});
  ASSERT_TRUE(corrected.ok());
  auto delivered = run(corrected->after, command::DeliveryResult{"d7", true, ""});
  ASSERT_TRUE(delivered.ok());
  EXPECT_EQ(delivered->after.state, TaskState::Delivered);
  EXPECT_EQ(delivered->after.times.delivered, kNow - 1h);
}

TEST(TaskLifecycle, OnlyTheLatestFinalReportsAckDelivers) {
  expectMove(taskIn(TaskState::Final), command::DeliveryResult{"d1", true, ""},
             TaskState::Delivered, kEventDelivered);
  auto older = run(taskIn(TaskState::Final), command::DeliveryResult{"d0", true, ""});
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->after.state, TaskState::Final);
  EXPECT_EQ(older->event.type, kEventDelivered);
  auto prelim = run(taskIn(TaskState::Preliminary), command::DeliveryResult{"d1", true, ""});
  ASSERT_TRUE(prelim.ok());
  EXPECT_EQ(prelim->after.state, TaskState::Preliminary);
  auto failed = run(taskIn(TaskState::Final), command::DeliveryResult{"d1", false, "AE: unknown"});
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->event.type, kEventDeliveryFailed);
  EXPECT_EQ(failed->after.state, TaskState::Final);
  EXPECT_EQ(failed->event.reason, "AE: unknown");
}

// Issue 5: the outbox offers an outcome again when its confirmation was lost.
TEST(TaskLifecycle, TheSameAckAgainLeavesADeliveredTaskAsItIs_Issue5) {
  auto again = run(taskIn(TaskState::Delivered), command::DeliveryResult{"d1", true, ""});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->after.state, TaskState::Delivered);
}

TEST(TaskLifecycle, AssignAndReassignDropAnyClaim) {
  expectMove(taskIn(TaskState::Queued), command::Assign{"bob", ""}, TaskState::Assigned,
             kEventAssigned);
  expectMove(taskIn(TaskState::Escalated), command::Assign{"bob", ""}, TaskState::Assigned,
             kEventAssigned);
  for (TaskState s : {TaskState::Assigned, TaskState::Claimed, TaskState::InProgress}) {
    expectMove(taskIn(s), command::Assign{"bob", "balance"}, TaskState::Assigned, kEventReassigned);
  }
  auto r = run(taskIn(TaskState::Claimed), command::Assign{"bob", "balance"});
  EXPECT_TRUE(r->after.claimed_by.empty());
  EXPECT_EQ(r->after.assigned_reader, "bob");
  EXPECT_EQ(r->event.reader, "bob");
  for (TaskState s : {TaskState::Preliminary, TaskState::Final, TaskState::Delivered,
                      TaskState::Cancelled}) {
    expectRefused(taskIn(s), command::Assign{"bob", ""}, "only an unreported task");
  }
  auto same = run(taskIn(TaskState::Assigned), command::Assign{"alice", ""});
  EXPECT_FALSE(same->changed);
  auto missing = run(taskIn(TaskState::Queued), command::Assign{"", ""});
  EXPECT_EQ(missing.error().code, ErrorCode::InvalidInput);
}

TEST(TaskLifecycle, ReturnToPool) {
  for (TaskState s : {TaskState::Assigned, TaskState::Claimed, TaskState::InProgress,
                      TaskState::Queued}) {
    expectMove(taskIn(s), command::ReturnToPool{"", "reader off shift"}, TaskState::Queued,
               kEventUnassigned);
  }
  expectRefused(taskIn(TaskState::Final), command::ReturnToPool{"day", ""}, "only an unreported task");
  Task no_pool = taskIn(TaskState::Assigned);
  no_pool.pool.clear();
  EXPECT_EQ(run(no_pool, command::ReturnToPool{"", ""}).error().code, ErrorCode::InvalidInput);
}

TEST(TaskLifecycle, CancelBeforeAnyReportOnly) {
  for (TaskState s : {TaskState::Queued, TaskState::Assigned, TaskState::Claimed,
                      TaskState::InProgress, TaskState::Escalated}) {
    expectMove(taskIn(s), command::Cancel{"order cancelled"}, TaskState::Cancelled, kEventCancelled);
  }
  for (TaskState s : {TaskState::Preliminary, TaskState::Final, TaskState::Delivered}) {
    expectRefused(taskIn(s), command::Cancel{""}, "has been reported");
  }
  auto again = run(taskIn(TaskState::Cancelled), command::Cancel{""});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
}

TEST(TaskLifecycle, SlaWarningOnceAndNotWhenClosed) {
  auto r = run(taskIn(TaskState::Claimed), command::SlaWarning{"reading"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->after.sla_warned);
  EXPECT_EQ(r->after.state, TaskState::Claimed);
  EXPECT_FALSE(run(r->after, command::SlaWarning{"reading"})->changed);
  EXPECT_FALSE(run(taskIn(TaskState::Delivered), command::SlaWarning{""})->changed);
}

TEST(TaskLifecycle, SlaBreachEscalatesOnlyWhenNobodyReadsIt) {
  for (TaskState s : {TaskState::Queued, TaskState::Assigned}) {
    expectMove(taskIn(s), command::SlaBreach{"claim"}, TaskState::Escalated, kEventEscalated);
  }
  auto escalated = run(taskIn(TaskState::Assigned), command::SlaBreach{"claim"});
  EXPECT_TRUE(escalated->after.assigned_reader.empty());
  EXPECT_TRUE(escalated->after.sla_breached);
  for (TaskState s : {TaskState::Claimed, TaskState::InProgress, TaskState::Preliminary,
                      TaskState::Final}) {
    auto r = run(taskIn(s), command::SlaBreach{std::string(lateStep(s))});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->after.state, s);
    EXPECT_EQ(r->event.type, kEventSlaBreached);
    EXPECT_TRUE(r->after.sla_breached);
  }
  EXPECT_FALSE(run(taskIn(TaskState::Cancelled), command::SlaBreach{""})->changed);
}

TEST(TaskLifecycle, LateStepNamesTheStepThatIsLate) {
  EXPECT_EQ(lateStep(TaskState::Queued), "claim");
  EXPECT_EQ(lateStep(TaskState::Assigned), "claim");
  EXPECT_EQ(lateStep(TaskState::InProgress), "reading");
  EXPECT_EQ(lateStep(TaskState::Preliminary), "final_report");
  EXPECT_EQ(lateStep(TaskState::Final), "delivery");
}

TEST(TaskLifecycle, OrderUpdateKeepsStateAndRefusesClosedTasks) {
  command::UpdateOrder update;
  update.priority = Priority::Stat;
  update.due = kNow + 30min;
  update.order.accession_number = "A9";
  auto r = run(taskIn(TaskState::Claimed), update);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->after.priority, Priority::Stat);
  EXPECT_EQ(r->after.due, kNow + 30min);
  EXPECT_EQ(r->after.state, TaskState::Claimed);
  expectRefused(taskIn(TaskState::Delivered), update, "closed");
}

TEST(TaskState, NamesRoundTrip) {
  for (TaskState s : kAllTaskStates) EXPECT_EQ(parseTaskState(taskStateName(s)), s);
  EXPECT_FALSE(parseTaskState("done").has_value());
  EXPECT_EQ(parsePriority("stat"), Priority::Stat);
  EXPECT_FALSE(parsePriority("asap").has_value());
}

}  // namespace
}  // namespace sundial::worklist
