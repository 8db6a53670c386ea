// The worklist's query indexes (tasks:open_site:*, tasks:open_reader:*, tasks:claimable)
// against a real redis-server (issue 5, query p99): they must hold exactly what the tasks
// say after every kind of change, be built for data written before them, and the queries
// that read them must return what a plain filter over every task returns, page after page.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "adapters/redis/open_task_query.h"
#include "adapters/redis/redis_task_codec.h"
#include "adapters/redis/redis_task_store.h"
#include "tests/integration/redis/redis_test_fixture.h"
#include "worklist/task_service.h"

namespace sundial::adapters::redis {
namespace {

using worklist::Priority;
using worklist::Task;
using worklist::TaskFilter;
using worklist::TaskService;
using worklist::TaskState;
namespace cmd = worklist::command;

const std::vector<std::string> kSites = {"north", "south", "east"};
const std::vector<std::string> kReaders = {"alice", "bob", "carol", "dave"};

// index key -> {task id -> score}
using IndexContents = std::map<std::string, std::map<std::string, long long>>;

class TaskQueryIndexTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped()) return;
    tasks_ = service();
    raw_ = std::make_unique<RedisClient>(clientOptions());
  }

  std::unique_ptr<TaskService> service() {
    return std::make_unique<TaskService>(
        std::make_unique<RedisTaskStore>(clientOptions(), kPrefix), clock_, audit_,
        worklist::SlaPolicy{}, worklist::LifecyclePolicy{10min}, worklist::RvuTable{});
  }

  std::string createTask(int n, Priority priority, const std::string& site,
                         const std::string& reader) {
    worklist::NewTask t;
    t.study_uids = {studyUid(n)};
    t.site = site;
    t.modality = "CT";
    t.priority = priority;
    t.reader = reader;
    t.pool = reader.empty() ? "night" : "";
    auto created = tasks_->create(t, "dispatcher");
    EXPECT_TRUE(created.ok()) << created.error().describe();
    return created.ok() ? created->id : std::string();
  }

  std::vector<Task> everyTask() {
    auto ids = raw_->command({"ZRANGE", keys_.all(), "0", "-1"});
    EXPECT_TRUE(ids.ok());
    std::vector<Task> out;
    for (const Reply& id : ids->elements) {
      auto task = tasks_->get(id.str);
      EXPECT_TRUE(task.ok());
      if (task.ok()) out.push_back(task.value());
    }
    return out;
  }

  // What the indexes must hold, from the tasks themselves.
  IndexContents expectedIndexes(const std::vector<Task>& all) {
    IndexContents out;
    for (const Task& t : all) {
      if (worklist::isClosed(t.state)) continue;
      const auto score = static_cast<long long>(openScore(t.priority, t.due));
      out[keys_.openSite(t.site)][t.id] = score;
      if (t.state == TaskState::Queued || t.state == TaskState::Escalated) {
        out[keys_.claimable()][t.id] = score;
      }
      if (!t.assigned_reader.empty()) out[keys_.openReader(t.assigned_reader)][t.id] = score;
      if (!t.claimed_by.empty()) out[keys_.openReader(t.claimed_by)][t.id] = score;
    }
    return out;
  }

  IndexContents actualIndexes() {
    IndexContents out;
    std::vector<std::string> keys;
    for (const std::string& pattern : {keys_.openSite("*"), keys_.openReader("*")}) {
      auto found = raw_->command({"KEYS", pattern});
      EXPECT_TRUE(found.ok());
      for (const Reply& k : found->elements) keys.push_back(k.str);
    }
    keys.push_back(keys_.claimable());
    for (const auto& key : keys) {
      auto rows = raw_->command({"ZRANGE", key, "0", "-1", "WITHSCORES"});
      EXPECT_TRUE(rows.ok());
      for (std::size_t i = 0; i + 1 < rows->elements.size(); i += 2) {
        out[key][rows->elements[i].str] = std::atoll(rows->elements[i + 1].str.c_str());
      }
    }
    return out;
  }

  void expectIndexesAgree(const std::string& when) {
    const auto all = everyTask();
    EXPECT_EQ(actualIndexes(), expectedIndexes(all)) << "after " << when;
  }

  // What a filter must return: every task, filtered and sorted in C++.
  static std::vector<std::string> reference(const std::vector<Task>& all, const TaskFilter& f) {
    std::vector<Task> kept;
    for (const Task& t : all) {
      if (worklist::isClosed(t.state)) continue;
      if (!f.reader.empty()) {
        const bool held = t.state == TaskState::Assigned || t.state == TaskState::Claimed ||
                          t.state == TaskState::InProgress || t.state == TaskState::Preliminary;
        if (!held || t.holder() != f.reader) continue;
      }
      if (!f.sites.empty() && std::find(f.sites.begin(), f.sites.end(), t.site) == f.sites.end()) continue;
      if (f.priority && t.priority != *f.priority) continue;
      if (!f.states.empty() && std::find(f.states.begin(), f.states.end(), t.state) == f.states.end()) continue;
      if (f.due_before && !(t.due < *f.due_before)) continue;
      if (f.due_after && t.due < *f.due_after) continue;
      if (f.scope) {
        const bool mine = !f.scope->reader.empty() &&
                          (t.assigned_reader == f.scope->reader || t.claimed_by == f.scope->reader);
        const bool claimable = !f.scope->reader.empty() &&
                               (t.state == TaskState::Queued || t.state == TaskState::Escalated);
        const bool site = std::find(f.scope->sites.begin(), f.scope->sites.end(), t.site) !=
                          f.scope->sites.end();
        if (!mine && !claimable && !site) continue;
      }
      kept.push_back(t);
    }
    auto key = [](const Task& t) {
      return std::make_tuple(worklist::priorityRank(t.priority), toEpochMs(t.due), t.id);
    };
    std::sort(kept.begin(), kept.end(), [&](const Task& a, const Task& b) { return key(a) < key(b); });
    std::vector<std::string> ids;
    for (const Task& t : kept) ids.push_back(t.id);
    return ids;
  }

  static std::vector<std::string> idsOf(const std::vector<Task>& tasks) {
    std::vector<std::string> ids;
    for (const Task& t : tasks) ids.push_back(t.id);
    return ids;
  }

  // Every page of `filter`, following each page's last task, concatenated.
  std::vector<std::string> allPages(TaskFilter filter) {
    std::vector<std::string> ids;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = tasks_->list(filter);
      EXPECT_TRUE(page.ok()) << page.error().describe();
      if (!page.ok() || page->empty()) break;
      for (const Task& t : page.value()) ids.push_back(t.id);
      if (page->size() < filter.limit) break;
      const Task& last = page->back();
      filter.after = worklist::TaskPosition{last.priority, last.due, last.id};
    }
    return ids;
  }

  TaskKeySchema keys_{kPrefix};
  ManualClock clock_;
  engine::NullAuditSink audit_;
  std::unique_ptr<TaskService> tasks_;
  std::unique_ptr<RedisClient> raw_;
};

TEST_F(TaskQueryIndexTest, AgreeWithTheTasksAfterEveryKindOfChange) {
  const unsigned seed = 20261130;
  std::printf("seed %u\n", seed);
  std::mt19937 random(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  const Priority priorities[] = {Priority::Stat, Priority::Urgent, Priority::Routine};
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) {
    clock_.now_ms += 1000;
    const std::string reader = i % 3 == 0 ? kReaders[pick(kReaders.size())] : "";
    ids.push_back(createTask(500 + i, priorities[pick(3)], kSites[pick(kSites.size())], reader));
  }
  expectIndexesAgree("creation");

  std::map<std::string, int> applied;
  for (int step = 0; step < 400; ++step) {
    clock_.now_ms += 7000;
    const std::string& id = ids[pick(ids.size())];
    const std::string reader = kReaders[pick(kReaders.size())];
    auto current = tasks_->get(id);
    ASSERT_TRUE(current.ok());
    worklist::TaskCommand command;
    std::string name;
    // Half the time the step a task's state calls for, so that tasks travel the whole life
    // cycle; otherwise any command, mostly refused, sometimes a reassignment or a cancel.
    std::size_t choice = pick(12);
    if (pick(2) == 0) {
      switch (current->state) {
        case TaskState::Queued:
        case TaskState::Escalated: choice = 0; break;
        case TaskState::Assigned: choice = pick(2) ? 0 : 3; break;
        case TaskState::Claimed: choice = pick(2) ? 1 : 4; break;
        case TaskState::InProgress: choice = pick(2) ? 5 : 6; break;
        case TaskState::Preliminary: choice = 6; break;
        case TaskState::Final: choice = 7; break;
        default: break;
      }
    }
    const std::string claimer = current->state == TaskState::Assigned ? current->assigned_reader : reader;
    switch (choice) {
      case 0: command = cmd::Claim{claimer}; name = "claim"; break;
      case 1: command = cmd::Release{current->claimed_by, "break"}; name = "release"; break;
      case 2: command = cmd::Assign{reader, "balance"}; name = "assign"; break;
      case 3: command = cmd::ReturnToPool{"night", "rebalance"}; name = "unassign"; break;
      case 4: command = cmd::Start{current->holder()}; name = "start"; break;
      case 5:
        command = cmd::Report{ReportStatus::Preliminary, current->holder(), false, "",
                              "p" + std::to_string(step)};
        name = "preliminary";
        break;
      case 6:
        command = cmd::Report{ReportStatus::Final, current->holder(), false,
                              "D" + std::to_string(step), "f" + std::to_string(step)};
        name = "final";
        break;
      case 7: command = cmd::DeliveryResult{current->last_delivery_id, true, ""}; name = "delivered"; break;
      case 8: command = cmd::Cancel{"order cancelled"}; name = "cancel"; break;
      case 9: command = cmd::SlaBreach{"claim"}; name = "breach"; break;
      case 10: command = cmd::LapseLease{}; name = "lapse"; break;
      default:
        command = cmd::UpdateOrder{current->order, current->patient, priorities[pick(3)],
                                   clock_.utcNow() + std::chrono::minutes(pick(600)), "update"};
        name = "update";
        break;
    }
    auto result = tasks_->applyChange(id, command, "test");
    if (result.ok() && result->changed) ++applied[name];
    expectIndexesAgree(name + " of " + id + " at step " + std::to_string(step));
    if (HasFailure()) return;
  }
  // The walk must have exercised every kind of change at least once, or it proves little.
  for (const char* name : {"claim", "release", "assign", "unassign", "start", "preliminary", "final",
                           "delivered", "cancel", "breach", "update"}) {
    EXPECT_GT(applied[name], 0) << name << " never applied with seed " << seed;
  }
}

TEST_F(TaskQueryIndexTest, AreBuiltForTasksWrittenBeforeThem) {
  for (int i = 0; i < 12; ++i) {
    clock_.now_ms += 1000;
    createTask(600 + i, i % 2 ? Priority::Stat : Priority::Routine, kSites[i % 3],
               i % 4 == 0 ? kReaders[i % 4] : "");
  }
  // Data as an older version left it: no query indexes, no marker.
  auto found = raw_->command({"KEYS", keys_.openSite("*")});
  ASSERT_TRUE(found.ok());
  std::vector<std::string> del = {"DEL", keys_.claimable(), keys_.queryIndexesBuilt()};
  for (const Reply& k : found->elements) del.push_back(k.str);
  auto readers = raw_->command({"KEYS", keys_.openReader("*")});
  for (const Reply& k : readers->elements) del.push_back(k.str);
  ASSERT_TRUE(raw_->command(del).ok());
  ASSERT_TRUE(actualIndexes().empty() || actualIndexes().begin()->second.empty());

  auto fresh = service();  // a node started on that data
  TaskFilter north;
  north.sites = {"north"};
  auto listed = fresh->list(north);
  ASSERT_TRUE(listed.ok()) << listed.error().describe();
  EXPECT_EQ(idsOf(listed.value()), reference(everyTask(), north));
  EXPECT_FALSE(listed->empty());
  expectIndexesAgree("the build for older data");
}

TEST_F(TaskQueryIndexTest, QueriesReturnWhatAFilterOverEveryTaskReturns) {
  std::mt19937 random(7);
  const Priority priorities[] = {Priority::Stat, Priority::Urgent, Priority::Routine};
  for (int i = 0; i < 60; ++i) {
    // Every third task shares its due time with the one before: ties ordered by id.
    if (i % 3) clock_.now_ms += 60'000;
    const std::string reader = i % 4 == 0 ? kReaders[i % kReaders.size()] : "";
    auto id = createTask(700 + i, priorities[random() % 3], kSites[i % kSites.size()], reader);
    // Some claims are refused (a task assigned to another reader): the mix is what counts.
    if (i % 5 == 0) (void)tasks_->apply(id, cmd::Claim{kReaders[(i + 1) % 4]}, "r");
    if (i % 11 == 0) {
      ASSERT_TRUE(tasks_->apply(id, cmd::Cancel{"x"}, "d").ok());
    }
  }
  const auto all = everyTask();
  std::vector<TaskFilter> filters(12);
  filters[1].sites = {"south"};
  filters[2].priority = Priority::Urgent;
  filters[3].sites = {"north", "east"};
  filters[3].priority = Priority::Routine;
  filters[4].states = {TaskState::Queued};
  filters[5].reader = "bob";
  filters[6].due_before = clock_.utcNow() - 20min;
  filters[6].due_after = clock_.utcNow() - 50h;
  filters[7].scope = worklist::TaskScope{"alice", {}};
  filters[8].scope = worklist::TaskScope{"carol", {}};
  filters[8].sites = {"east"};
  filters[9].scope = worklist::TaskScope{"", {"south"}};
  filters[10].scope = worklist::TaskScope{"dave", {"north"}};
  filters[10].priority = Priority::Stat;
  filters[11].scope = worklist::TaskScope{"bob", {}};
  filters[11].states = {TaskState::Claimed, TaskState::Assigned};
  for (std::size_t i = 0; i < filters.size(); ++i) {
    TaskFilter f = filters[i];
    const auto expected = reference(all, f);
    auto listed = tasks_->list(f);
    ASSERT_TRUE(listed.ok()) << listed.error().describe();
    EXPECT_EQ(idsOf(listed.value()), expected) << "filter " << i;
    // Pages of 4, one after another: the same tasks, none twice, none missed.
    f.limit = 4;
    EXPECT_EQ(allPages(f), expected) << "filter " << i << " in pages of 4";
    // A page stops at its limit even where the sources hold more.
    f.limit = 3;
    auto first = tasks_->list(f);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->size(), std::min<std::size_t>(3, expected.size())) << "filter " << i;
  }
  EXPECT_FALSE(reference(all, filters[7]).empty());
}

TEST_F(TaskQueryIndexTest, APagePositionIsRefusedForClosedTasks) {
  TaskFilter delivered;
  delivered.states = {TaskState::Delivered};
  delivered.after = worklist::TaskPosition{Priority::Stat, clock_.utcNow(), "T1"};
  auto listed = tasks_->list(delivered);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, ErrorCode::InvalidInput);
}

// No Redis needed: the packing a list reads per task must give back every field.
TEST(TaskPacking, GivesBackEveryFieldWhateverTheText) {
  Task t;
  t.id = "T42";
  t.study_uids = {"1.2.3", "1.2.4"};
  t.site = "north";
  t.modality = "MR";
  t.priority = Priority::Urgent;
  t.due = fromEpochMs(kBaseMs + 5);
  t.state = TaskState::Claimed;
  t.claimed_by = "alice";
  t.order.procedure_text = "12:34 MR brain: w/o, 5:";  // digits and colons like the framing
  t.order.reason_for_exam = "";
  t.patient.name = "DOE^JANE";
  t.tags = {"neuro", "stroke"};
  t.rvu = 2.5;
  t.sla_warned = true;
  t.version = 7;
  auto back = unpackTask(packTask(encodeTask(t)));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(encodeTask(back.value()), encodeTask(t));
  EXPECT_FALSE(unpackTask("3:id").ok()) << "a name without its value";
  EXPECT_FALSE(unpackTask("2:id99:T1").ok()) << "a length past the end";
}

}  // namespace
}  // namespace sundial::adapters::redis
