// The dispatcher against a real redis-server: studies recorded and completed in the state
// store, decisions by a real RuleEngine over a small roster, read tasks in the real task
// store, reader presence in Redis. Only the order lookup is a fake (its matching is tested
// with the orders part).

#include "engine/dispatch/dispatcher.h"

#include "engine/dispatch/order_change_listener.h"

#include <map>

#include "adapters/redis/redis_decision_log.h"
#include "adapters/redis/redis_dispatch_queue.h"
#include "adapters/redis/redis_forward_queue.h"
#include "adapters/redis/redis_reader_presence.h"
#include "adapters/redis/redis_state_store.h"
#include "adapters/redis/redis_task_store.h"
#include "rules/engine/rule_set.h"
#include "tests/integration/redis/redis_test_fixture.h"
#include "tests/support/fakes.h"
#include "tests/unit/rules/roster_fixture.h"

namespace sundial::engine {
namespace {

using adapters::redis::kBaseMs;
using adapters::redis::kPrefix;
using adapters::redis::ManualClock;
using std::chrono::milliseconds;

class FakeOrderLookup final : public OrderLookup {
 public:
  std::map<std::string, OrderLink> links;
  std::vector<std::string> unmatched;
  Result<std::optional<OrderLink>> orderForStudy(const std::string& uid) override {
    auto found = links.find(uid);
    if (found == links.end()) return std::optional<OrderLink>{};
    return std::optional<OrderLink>{found->second};
  }
  Result<void> markUnmatched(const std::string& uid) override {
    unmatched.push_back(uid);
    return okResult();
  }
};

class RecordingAudit final : public AuditSink {
 public:
  std::vector<AuditRecord> records;
  void record(AuditRecord record) override { records.push_back(std::move(record)); }
};

// Rules: STAT CT head → the neuroradiologist; a study tagged by description "NAMED <id>" →
// that reader, whoever they are (the safety check must refuse an ineligible one); otherwise
// the push pool "remote".
constexpr const char* kRules = R"lua(
function route(f)
  local named = string.match(f.study.description or "", "^NAMED (%w+)$")
  if named then return { reader = named, reason = "named in the test" } end
  if f.order.present and f.order.priority == "STAT" and f.study.body_part == "HEAD" then
    local reader = sundial.least_loaded(sundial.eligible({ subspecialty = "neuro" }))
    if reader then return { reader = reader, destinations = { "ARCHIVE" }, tags = { "stroke" },
                            reason = "stroke: neuroradiologist" } end
  end
  return { pool = "remote", destinations = { "ARCHIVE" }, reason = "everything else" }
end
)lua";

class DispatcherTest : public adapters::redis::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    clock_.now_ms = toEpochMs(rules::testing::tuesdayMorningChicago());
    auto config = std::make_shared<config::Config>();
    config->matching.unmatched_after = milliseconds(60000);
    config_ = config;
    const auto options = clientOptions();
    studies_ = std::make_unique<adapters::redis::RedisStateStore>(options, kPrefix);
    forward_ = std::make_unique<adapters::redis::RedisForwardQueue>(options, kPrefix, clock_);
    queue_ = std::make_unique<adapters::redis::RedisDispatchQueue>(options, kPrefix);
    presence_ = std::make_unique<adapters::redis::RedisReaderPresence>(options, kPrefix,
                                                                       milliseconds(120000));
    decisions_ = std::make_unique<adapters::redis::RedisDecisionLog>(options, kPrefix);
    tasks_ = std::make_unique<worklist::TaskService>(
        std::make_unique<adapters::redis::RedisTaskStore>(options, kPrefix), clock_, audit_,
        worklist::SlaPolicy{}, worklist::LifecyclePolicy{}, worklist::RvuTable{});
    auto rule_set = rules::makeRuleSet({{"10_test.lua", kRules}});
    ASSERT_TRUE(rule_set.ok()) << rule_set.error().describe();
    rules::RuleEngineOptions rule_options;
    rule_options.log_fallbacks = false;
    rules_ = std::make_unique<rules::RuleEngine>(rules::testing::makeRoster(), rule_set.value(),
                                                 rule_options);
    dispatcher_ = std::make_unique<Dispatcher>(
        config_,
        DispatcherParts{*queue_, *studies_, orders_, *rules_, *tasks_, *presence_, *decisions_,
                        audit_, spool_},
        clock_, metrics_);
  }

  void online(std::initializer_list<const char*> readers) {
    for (const char* reader : readers) {
      ASSERT_TRUE(presence_->heartbeat(reader, clock_.utcNow()).ok());
    }
  }

  // A complete study at ER1 with `instances` instances and the given facts.
  void completeStudy(int n, const std::string& body_part, const std::string& description,
                     const std::string& patient_id = "P1", int instances = 2) {
    std::vector<InstanceRecord> batch;
    for (int i = 1; i <= instances; ++i) {
      auto record = adapters::redis::makeRecord(n, i, {"ARCHIVE"}, {}, clock_.now_ms);
      record.instance.site = "ER1";
      record.instance.study.accession_number = "ACC" + std::to_string(n);
      record.instance.study.patient_id = patient_id;
      record.instance.study.birth_date = "19550101";
      record.instance.study.sex = "M";
      record.instance.study.study_date = "20261201";
      record.instance.study.body_part_examined = body_part;
      record.instance.study.study_description = description;
      batch.push_back(record);
    }
    ASSERT_TRUE(studies_->recordInstances(batch).ok());
    ASSERT_TRUE(studies_->completeStudy(adapters::redis::studyUid(n), clock_.utcNow(), {"ARCHIVE"})
                    .ok());
  }

  void linkStatOrder(int n) {
    OrderLink link;
    link.study_uid = adapters::redis::studyUid(n);
    link.order_key = "ER1|ORD" + std::to_string(n);
    link.order.site = "ER1";
    link.order.accession_number = "ACC" + std::to_string(n);
    link.order.priority = OrderPriority::Stat;
    link.order.reason_for_exam = "code stroke";
    link.order.procedure_code = "CTHEAD";
    orders_.links[link.study_uid] = link;
  }

  worklist::Task taskOf(int n) {
    auto id = tasks_->findForReport("ER1", "", adapters::redis::studyUid(n));
    EXPECT_TRUE(id.ok() && id.value().has_value()) << "no task for study " << n;
    if (!id.ok() || !id.value()) return {};
    auto task = tasks_->get(*id.value());
    EXPECT_TRUE(task.ok());
    return task.ok() ? task.value() : worklist::Task{};
  }

  long long ready(const std::string& destination) {
    auto depth = forward_->depth(destination);
    return depth.ok() ? depth->ready : -1;
  }

  ManualClock clock_;
  Metrics metrics_;
  RecordingAudit audit_;
  testing::FakeSpool spool_;
  FakeOrderLookup orders_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<adapters::redis::RedisStateStore> studies_;
  std::unique_ptr<adapters::redis::RedisForwardQueue> forward_;
  std::unique_ptr<adapters::redis::RedisDispatchQueue> queue_;
  std::unique_ptr<adapters::redis::RedisReaderPresence> presence_;
  std::unique_ptr<adapters::redis::RedisDecisionLog> decisions_;
  std::unique_ptr<worklist::TaskService> tasks_;
  std::unique_ptr<rules::RuleEngine> rules_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, StatStrokeGoesToTheNeuroradiologistWithTheOrdersFieldsAndImages) {
  online({"local1", "neuro1", "remote2"});
  completeStudy(1, "HEAD", "CT HEAD WO");
  linkStatOrder(1);
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  const worklist::Task task = taskOf(1);
  EXPECT_EQ(task.assigned_reader, "neuro1");
  EXPECT_EQ(task.state, worklist::TaskState::Assigned);
  EXPECT_EQ(task.priority, OrderPriority::Stat);
  EXPECT_EQ(task.order.accession_number, "ACC1");
  EXPECT_EQ(task.order.reason_for_exam, "code stroke");
  EXPECT_EQ(task.patient.age, "71Y");
  EXPECT_FALSE(task.decision_id.empty());
  EXPECT_EQ(ready("WS2"), 2) << "the images go to the neuroradiologist's workstation";
  auto depth = queue_->depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, 0);
  ASSERT_FALSE(audit_.records.empty());
  const AuditRecord& decision = audit_.records.back();
  EXPECT_EQ(decision.action, "rule.decision");
  EXPECT_EQ(decision.details.at("reader"), "neuro1");
  EXPECT_EQ(decision.details.at("decided_by"), "10_test.lua");
  EXPECT_FALSE(decision.details.at("rule_set_version").empty());
  // Dispatched once: nothing more to take, and no second task.
  EXPECT_EQ(dispatcher_->runOnce(), 0);
}

TEST_F(DispatcherTest, StudyWithoutOrderWaitsThenGoesOnTheExceptionListAndIsStillDispatched) {
  online({"neuro1", "remote2"});
  completeStudy(2, "CHEST", "CT CHEST");
  EXPECT_EQ(dispatcher_->dispatchStudy(adapters::redis::studyUid(2)), DispatchOutcome::Waiting);
  EXPECT_TRUE(orders_.unmatched.empty());
  clock_.now_ms += 30000;
  EXPECT_EQ(dispatcher_->runOnce(), 0) << "postponed until unmatched_after";
  clock_.now_ms += 30000;
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  EXPECT_EQ(orders_.unmatched, std::vector<std::string>{adapters::redis::studyUid(2)});
  const worklist::Task task = taskOf(2);
  EXPECT_EQ(task.priority, OrderPriority::Routine);
  EXPECT_NE(std::find(task.tags.begin(), task.tags.end(), "no_order"), task.tags.end());
  // Push pool "remote": its only eligible member online (remote2 has no Texas licence).
  EXPECT_EQ(task.assigned_reader, "neuro1");
}

TEST_F(DispatcherTest, PushPoolBalancesToTheLeastLoadedReader) {
  online({"neuro1", "remote2", "peds1"});
  completeStudy(3, "CHEST", "CT CHEST A", "P3");
  completeStudy(4, "CHEST", "CT CHEST B", "P4");
  linkStatOrder(3);  // STAT but not a head: the pool
  orders_.links[adapters::redis::studyUid(3)].order.priority = OrderPriority::Routine;
  linkStatOrder(4);
  orders_.links[adapters::redis::studyUid(4)].order.priority = OrderPriority::Routine;
  EXPECT_EQ(dispatcher_->runOnce(), 2);
  const std::string first = taskOf(3).assigned_reader;
  const std::string second = taskOf(4).assigned_reader;
  EXPECT_FALSE(first.empty());
  EXPECT_FALSE(second.empty());
  EXPECT_NE(first, second) << "the second study goes to the reader without the first";
}

TEST_F(DispatcherTest, RuleNamingAnIneligibleReaderFallsBackToTheFallbackPool) {
  online({"neuro1", "remote2", "nocred"});
  completeStudy(5, "CHEST", "NAMED nocred");
  linkStatOrder(5);
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  const worklist::Task task = taskOf(5);
  EXPECT_EQ(task.assigned_reader, "") << "never the uncredentialed reader";
  EXPECT_EQ(task.pool, "fallback");
  EXPECT_EQ(task.state, worklist::TaskState::Queued);
  const AuditRecord& decision = audit_.records.back();
  EXPECT_EQ(decision.outcome, "fallback");
  EXPECT_NE(decision.details.at("fallback_reason").find("credential"), std::string::npos)
      << decision.details.at("fallback_reason");
}

TEST_F(DispatcherTest, CancelledOrderGetsNoTask) {
  online({"neuro1"});
  completeStudy(6, "HEAD", "CT HEAD");
  linkStatOrder(6);
  orders_.links[adapters::redis::studyUid(6)].cancelled = true;
  EXPECT_EQ(dispatcher_->dispatchStudy(adapters::redis::studyUid(6)), DispatchOutcome::Skipped);
  auto id = tasks_->findForReport("ER1", "", adapters::redis::studyUid(6));
  ASSERT_TRUE(id.ok());
  EXPECT_FALSE(id.value().has_value());
}

TEST_F(DispatcherTest, TaskOfAReaderWhoWentOfflineIsReDispatchedToAnother) {
  online({"neuro1", "remote2"});
  completeStudy(7, "HEAD", "NAMED neuro1", "P7");
  linkStatOrder(7);
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  ASSERT_EQ(taskOf(7).assigned_reader, "neuro1");
  // neuro1 goes away: only remote2 keeps sending heartbeats. The rule still names neuro1,
  // who is now excluded (offline): the fallback pool takes it.
  clock_.now_ms += 200000;
  online({"remote2"});
  dispatcher_->sweepAssignedTasks();
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  const worklist::Task task = taskOf(7);
  EXPECT_NE(task.assigned_reader, "neuro1");
  auto excluded = queue_->exclusions(adapters::redis::studyUid(7));
  ASSERT_TRUE(excluded.ok());
  EXPECT_EQ(*excluded, std::vector<std::string>{"neuro1"});
}

TEST_F(DispatcherTest, PatientsSecondStudyStaysWithTheReaderOfTheFirst) {
  online({"neuro1", "peds1"});
  completeStudy(8, "HEAD", "NAMED neuro1", "SAME");
  linkStatOrder(8);
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  ASSERT_EQ(taskOf(8).assigned_reader, "neuro1");
  completeStudy(9, "CHEST", "CT CHEST", "SAME");
  linkStatOrder(9);
  orders_.links[adapters::redis::studyUid(9)].order.priority = OrderPriority::Routine;
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  // The pool alone would pick peds1 (idle); the patient's other study is with neuro1.
  EXPECT_EQ(taskOf(9).assigned_reader, "neuro1");
}

TEST_F(DispatcherTest, LateOrderWakesTheWaitingStudyCancelledOrderKeepsItFromDispatch) {
  OrderChangeListener listener(
      std::make_unique<adapters::redis::RedisDispatchQueue>(clientOptions(), kPrefix),
      std::make_unique<adapters::redis::RedisStateStore>(clientOptions(), kPrefix), spool_,
      clock_);
  online({"neuro1", "peds1"});
  completeStudy(10, "HEAD", "CT HEAD", "P10");
  EXPECT_EQ(dispatcher_->runOnce(), 1);  // postponed: no order yet
  EXPECT_EQ(dispatcher_->runOnce(), 0);
  // The order arrives (the matcher links it and tells the listener): dispatched at once,
  // long before matching.unmatched_after.
  linkStatOrder(10);
  ASSERT_TRUE(listener.orderLinked(orders_.links[adapters::redis::studyUid(10)]).ok());
  EXPECT_EQ(dispatcher_->runOnce(), 1);
  worklist::Task task = taskOf(10);
  EXPECT_EQ(task.assigned_reader, "neuro1") << "STAT head: the neuroradiologist";
  EXPECT_EQ(task.order.reason_for_exam, "code stroke");

  // Cancelled before dispatch: never dispatched.
  completeStudy(11, "HEAD", "CT HEAD", "P11");
  OrderLink gone = orders_.links[adapters::redis::studyUid(10)];
  gone.study_uid = adapters::redis::studyUid(11);
  gone.cancelled = true;
  ASSERT_TRUE(listener.orderCancelled(gone).ok());
  clock_.now_ms += 120000;
  EXPECT_EQ(dispatcher_->runOnce(), 0);
  auto id = tasks_->findForReport("ER1", "", adapters::redis::studyUid(11));
  ASSERT_TRUE(id.ok());
  EXPECT_FALSE(id.value().has_value());
}

}  // namespace
}  // namespace sundial::engine
