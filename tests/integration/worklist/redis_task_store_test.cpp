// TaskService over RedisTaskStore against a real redis-server: creation, the compare-and-set
// that makes concurrent claims safe, leases, SLA timers, indexes and the change stream.

#include "adapters/redis/redis_task_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/integration/redis/redis_test_fixture.h"
#include "worklist/task_service.h"

namespace sundial::adapters::redis {
namespace {

using worklist::Priority;
using worklist::Task;
using worklist::TaskService;
using worklist::TaskState;
namespace cmd = worklist::command;

class TaskStoreTest : public RedisTest {
 protected:
  std::unique_ptr<TaskService> service() {
    return std::make_unique<TaskService>(
        std::make_unique<RedisTaskStore>(clientOptions(), kPrefix), clock_, audit_,
        worklist::SlaPolicy{}, worklist::LifecyclePolicy{10min}, worklist::RvuTable{});
  }

  static worklist::NewTask newTask(const std::string& study, Priority priority = Priority::Routine,
                                   const std::string& reader = "", const std::string& pool = "night") {
    worklist::NewTask t;
    t.study_uids = {study};
    t.site = "north";
    t.modality = "CT";
    t.priority = priority;
    t.reader = reader;
    t.pool = pool;
    t.order.accession_number = "ACC " + study;  // free text, spaces included
    return t;
  }

  ManualClock clock_;
  engine::NullAuditSink audit_;
};

TEST_F(TaskStoreTest, CreatesWithDueFromSlaAndKeepsHistory) {
  auto tasks = service();
  clock_.now_ms = kBaseMs;
  auto created = tasks->create(newTask(studyUid(1), Priority::Stat), "dispatcher");
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_EQ(created->state, TaskState::Queued);
  EXPECT_EQ(toEpochMs(created->due), kBaseMs + 30 * 60'000);
  EXPECT_EQ(toEpochMs(created->warn_at), kBaseMs + 30 * 60'000 * 3 / 4);

  auto read = tasks->getWithHistory(created->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->task.order.accession_number, "ACC " + studyUid(1));
  EXPECT_EQ(read->task.version, 1);
  ASSERT_EQ(read->history.size(), 1u);
  EXPECT_EQ(read->history[0].type, worklist::kEventCreated);
  EXPECT_EQ(read->history[0].actor, "dispatcher");
}

TEST_F(TaskStoreTest, OneOpenTaskPerStudy) {
  auto tasks = service();
  auto first = tasks->create(newTask(studyUid(2)), "d");
  ASSERT_TRUE(first.ok());
  auto second = tasks->create(newTask(studyUid(2)), "d");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::Duplicate);
  EXPECT_EQ(second.error().context, first->id);
  // Once cancelled, the study may get a new task.
  ASSERT_TRUE(tasks->apply(first->id, cmd::Cancel{"order cancelled"}, "orders").ok());
  EXPECT_TRUE(tasks->create(newTask(studyUid(2)), "d").ok());
}

TEST_F(TaskStoreTest, ConcurrentClaimsFromTwoNodesExactlyOneWins) {
  auto setup = service();
  constexpr int kTasks = 20;
  constexpr int kReaders = 6;
  std::vector<std::string> ids;
  for (int i = 0; i < kTasks; ++i) {
    auto t = setup->create(newTask(studyUid(100 + i)), "d");
    ASSERT_TRUE(t.ok());
    ids.push_back(t->id);
  }
  // Each reader is its own node: its own service and connection.
  std::vector<std::unique_ptr<TaskService>> nodes;
  for (int r = 0; r < kReaders; ++r) nodes.push_back(service());
  std::atomic<int> wins{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      for (const auto& id : ids) {
        auto claimed = nodes[r]->apply(id, cmd::Claim{"reader" + std::to_string(r)}, "r");
        if (claimed.ok()) {
          ++wins;
        } else if (claimed.error().code == ErrorCode::Rejected) {
          ++conflicts;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), kTasks);
  EXPECT_EQ(conflicts.load(), kTasks * (kReaders - 1));
  EXPECT_EQ(other.load(), 0);
  for (const auto& id : ids) {
    auto read = setup->getWithHistory(id);
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->task.state, TaskState::Claimed);
    ASSERT_EQ(read->history.size(), 2u) << "one creation and exactly one claim";
    EXPECT_EQ(read->history[1].reader, read->task.claimed_by);
  }
}

TEST_F(TaskStoreTest, LeaseLapsesAndAnotherReaderTakesOver) {
  auto tasks = service();
  auto t = tasks->create(newTask(studyUid(3)), "d");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(tasks->apply(t->id, cmd::Claim{"alice"}, "alice").ok());
  auto lapsed = tasks->lapsedLeases(clock_.utcNow(), 10);
  ASSERT_TRUE(lapsed.ok());
  EXPECT_TRUE(lapsed->empty());
  clock_.now_ms += 10 * 60'000;
  lapsed = tasks->lapsedLeases(clock_.utcNow(), 10);
  ASSERT_TRUE(lapsed.ok());
  ASSERT_EQ(lapsed->size(), 1u);
  auto back = tasks->apply(t->id, cmd::LapseLease{}, "lease");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->state, TaskState::Queued);
  EXPECT_TRUE(tasks->lapsedLeases(clock_.utcNow(), 10)->empty()) << "the lease set is cleared";
  auto bob = tasks->apply(t->id, cmd::Claim{"bob"}, "bob");
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(bob->claimed_by, "bob");
}

TEST_F(TaskStoreTest, ListsByReaderSiteStatePriorityAndDue) {
  auto tasks = service();
  auto stat = tasks->create(newTask(studyUid(10), Priority::Stat, "alice"), "d");
  auto routine = tasks->create(newTask(studyUid(11), Priority::Routine), "d");
  auto urgent = tasks->create(newTask(studyUid(12), Priority::Urgent), "d");
  ASSERT_TRUE(stat.ok() && routine.ok() && urgent.ok());
  worklist::NewTask south = newTask(studyUid(13), Priority::Stat);
  south.site = "south";
  ASSERT_TRUE(tasks->create(south, "d").ok());

  auto all = tasks->list({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->at(0).priority, Priority::Stat);
  EXPECT_EQ(all->at(2).priority, Priority::Urgent) << "most urgent first";
  EXPECT_EQ(all->at(3).priority, Priority::Routine);

  worklist::TaskFilter mine;
  mine.reader = "alice";
  ASSERT_EQ(tasks->list(mine)->size(), 1u);
  worklist::TaskFilter north_stat;
  north_stat.sites = {"north"};
  north_stat.priority = Priority::Stat;
  ASSERT_EQ(tasks->list(north_stat)->size(), 1u);
  worklist::TaskFilter queued;
  queued.states = {TaskState::Queued};
  EXPECT_EQ(tasks->list(queued)->size(), 3u);
  worklist::TaskFilter soon;
  soon.due_before = clock_.utcNow() + 3h;
  EXPECT_EQ(tasks->list(soon)->size(), 3u) << "STAT (30 min) and URGENT (2 h), not ROUTINE";
  worklist::TaskFilter limited;
  limited.limit = 2;
  EXPECT_EQ(tasks->list(limited)->size(), 2u);

  ASSERT_TRUE(tasks->apply(routine->id, cmd::Cancel{"x"}, "d").ok());
  EXPECT_EQ(tasks->list({})->size(), 3u) << "closed tasks leave the open list";
  worklist::TaskFilter cancelled;
  cancelled.states = {TaskState::Cancelled};
  ASSERT_EQ(tasks->list(cancelled)->size(), 1u);
  EXPECT_TRUE(tasks->list(mine)->size() == 1u);
  ASSERT_TRUE(tasks->apply(stat->id, cmd::Assign{"bob", "balance"}, "d").ok());
  EXPECT_TRUE(tasks->list(mine)->empty()) << "reassigned away from alice";
}

TEST_F(TaskStoreTest, FindsTasksForReportsByAccessionWithinSiteOrStudy) {
  auto tasks = service();
  auto t = tasks->create(newTask(studyUid(20)), "d");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(tasks->findForReport("north", "ACC " + studyUid(20), "")->value_or(""), t->id);
  EXPECT_FALSE(tasks->findForReport("south", "ACC " + studyUid(20), "")->has_value());
  EXPECT_EQ(tasks->findForReport("north", "", studyUid(20))->value_or(""), t->id);
  EXPECT_FALSE(tasks->findForReport("south", "", studyUid(20))->has_value());
}

TEST_F(TaskStoreTest, SlaTimersAreDueInOrderAndClearedByTheirChange) {
  auto tasks = service();
  auto t = tasks->create(newTask(studyUid(30), Priority::Stat), "d");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(tasks->nextTimer()->value(), t->warn_at);
  clock_.now_ms = toEpochMs(t->warn_at);
  auto due = tasks->dueSlaTimers(clock_.utcNow(), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->at(0).kind, worklist::SlaTimerKind::Warning);
  ASSERT_TRUE(tasks->apply(t->id, cmd::SlaWarning{"claim"}, "sla").ok());
  EXPECT_TRUE(tasks->dueSlaTimers(clock_.utcNow(), 10)->empty());
  EXPECT_EQ(tasks->nextTimer()->value(), t->due);
  clock_.now_ms = toEpochMs(t->due);
  due = tasks->dueSlaTimers(clock_.utcNow(), 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->at(0).kind, worklist::SlaTimerKind::Breach);
  auto escalated = tasks->apply(t->id, cmd::SlaBreach{"claim"}, "sla");
  ASSERT_TRUE(escalated.ok());
  EXPECT_EQ(escalated->state, TaskState::Escalated);
  EXPECT_TRUE(tasks->dueSlaTimers(clock_.utcNow(), 10)->empty());
  EXPECT_FALSE(tasks->nextTimer()->has_value());
}

TEST_F(TaskStoreTest, ChangesAreStreamedWithTheNewState) {
  RedisTaskStore reader(clientOptions(), kPrefix);
  auto tasks = service();
  auto t = tasks->create(newTask(studyUid(40), Priority::Stat, "alice"), "d");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(tasks->apply(t->id, cmd::Claim{"alice"}, "alice").ok());
  auto changes = reader.readChanges("0", 100ms, 10);
  ASSERT_TRUE(changes.ok()) << changes.error().describe();
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ(changes->at(0).event.type, worklist::kEventCreated);
  EXPECT_EQ(changes->at(1).task.state, TaskState::Claimed);
  EXPECT_EQ(changes->at(1).task.claimed_by, "alice");
  auto none = reader.readChanges(changes->at(1).stream_id, 50ms, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(TaskStoreTest, DeliveredTasksAreFoundByDeliveryTime) {
  auto tasks = service();
  auto t = tasks->create(newTask(studyUid(50)), "d");
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(tasks->apply(t->id, cmd::Report{ReportStatus::Final, "alice", true, "d1"}, "hl7").ok());
  clock_.now_ms += 1000;
  ASSERT_TRUE(tasks->apply(t->id, cmd::DeliveryResult{"d1", true, ""}, "site").ok());
  auto found = tasks->deliveredBetween(fromEpochMs(kBaseMs), fromEpochMs(kBaseMs + 2000));
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->at(0).state, TaskState::Delivered);
  EXPECT_TRUE(tasks->deliveredBetween(fromEpochMs(kBaseMs + 2000), fromEpochMs(kBaseMs + 9000))->empty());
}

TEST_F(TaskStoreTest, RedisDownIsUnavailableAndNothingChanges) {
  auto tasks = service();
  auto t = tasks->create(newTask(studyUid(60)), "d");
  ASSERT_TRUE(t.ok());
  server_->stop();
  auto claimed = tasks->apply(t->id, cmd::Claim{"alice"}, "alice");
  ASSERT_FALSE(claimed.ok());
  EXPECT_EQ(claimed.error().code, ErrorCode::Unavailable);
}

}  // namespace
}  // namespace sundial::adapters::redis
