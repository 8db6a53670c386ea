// SlaTimerLoop against a real redis-server with a hand-moved clock: warnings at the configured
// fraction, escalation at breach with its cause, lapsed leases, the re-dispatch hook, two
// nodes acting on the same timers, and webhook notifications that are retried.

#include "worklist/sla_timer_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "adapters/http/http_server.h"
#include "adapters/http/webhook_sender.h"
#include "adapters/redis/redis_task_store.h"
#include "engine/app/sla_webhook_notifier.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

using worklist::Priority;
using worklist::TaskService;
using worklist::TaskState;
namespace cmd = worklist::command;

class RecordingNotifier final : public worklist::SlaNotifier {
 public:
  void notify(const worklist::SlaNotice& notice) override {
    std::lock_guard lock(mutex);
    notices.push_back(notice);
  }
  std::mutex mutex;
  std::vector<worklist::SlaNotice> notices;
};

class SlaTimerTest : public RedisTest {
 protected:
  std::unique_ptr<TaskService> service() {
    worklist::SlaTargets targets;  // STAT 30 min, warn at 0.75
    return std::make_unique<TaskService>(
        std::make_unique<RedisTaskStore>(clientOptions(), kPrefix), clock_, audit_,
        worklist::SlaPolicy(targets, {}), worklist::LifecyclePolicy{10min}, worklist::RvuTable{});
  }

  std::string createStat(TaskService& tasks, int n, const std::string& reader = "drlee") {
    worklist::NewTask t;
    t.study_uids = {studyUid(n)};
    t.site = "north";
    t.modality = "CT";
    t.priority = Priority::Stat;
    t.reader = reader;
    t.pool = "night";
    auto created = tasks.create(t, "dispatcher");
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->id : "";
  }

  void at(long long minutes_after_start) { clock_.now_ms = kBaseMs + minutes_after_start * 60'000; }

  ManualClock clock_;
  engine::NullAuditSink audit_;
};

TEST_F(SlaTimerTest, WarnsAtTheFractionThenEscalatesAtBreachWithItsCause) {
  auto tasks = service();
  RecordingNotifier notifier;
  worklist::SlaTimerLoop loop(*tasks, &notifier);
  std::vector<std::string> redispatched;
  std::string breached_reader;
  loop.setRedispatchHook([&](const worklist::Task& t, const std::string& reader) {
    redispatched.push_back(t.id);
    breached_reader = reader;
  });
  const std::string id = createStat(*tasks, 1);

  at(22);  // before 22.5 min (0.75 of 30)
  EXPECT_EQ(loop.runOnce().value(), 0);
  at(23);
  EXPECT_EQ(loop.runOnce().value(), 1);
  auto warned = tasks->getWithHistory(id);
  EXPECT_TRUE(warned->task.sla_warned);
  EXPECT_EQ(warned->history.back().type, worklist::kEventSlaWarning);
  EXPECT_EQ(warned->history.back().reason, "claim") << "assigned but never claimed";
  EXPECT_EQ(loop.runOnce().value(), 0) << "a warning fires once";

  at(30);
  EXPECT_EQ(loop.runOnce().value(), 1);
  auto escalated = tasks->getWithHistory(id);
  EXPECT_EQ(escalated->task.state, TaskState::Escalated);
  EXPECT_TRUE(escalated->task.assigned_reader.empty()) << "unassigned back to its pool";
  EXPECT_EQ(escalated->task.pool, "night");
  EXPECT_EQ(escalated->history.back().type, worklist::kEventEscalated);
  EXPECT_EQ(redispatched, std::vector<std::string>{id});
  EXPECT_EQ(breached_reader, "drlee") << "re-dispatch must not pick the reader who let it breach";
  auto breaches = tasks->recentBreaches(10);
  ASSERT_EQ(breaches->size(), 1u);
  EXPECT_EQ(breaches->at(0).reader, "drlee");
  EXPECT_EQ(breaches->at(0).cause, "claim");
  EXPECT_EQ(breaches->at(0).task_id, id);
  ASSERT_EQ(notifier.notices.size(), 2u);
  EXPECT_EQ(notifier.notices[0].kind, "sla_warning");
  EXPECT_EQ(notifier.notices[1].kind, "sla_breached");
  EXPECT_EQ(loop.runOnce().value(), 0);
}

TEST_F(SlaTimerTest, BreachWhileReadingIsRecordedWithoutTakingTheTaskAway) {
  auto tasks = service();
  worklist::SlaTimerLoop loop(*tasks, nullptr);
  const std::string id = createStat(*tasks, 2);
  at(1);
  ASSERT_TRUE(tasks->apply(id, cmd::Claim{"drlee"}, "drlee").ok());
  ASSERT_TRUE(tasks->apply(id, cmd::Start{"drlee"}, "drlee").ok());
  at(9);  // renew, so the lease (10 min) outlives the SLA
  ASSERT_TRUE(tasks->apply(id, cmd::RenewLease{"drlee"}, "drlee").ok());
  at(18);
  ASSERT_TRUE(tasks->apply(id, cmd::RenewLease{"drlee"}, "drlee").ok());
  at(27);
  ASSERT_TRUE(tasks->apply(id, cmd::RenewLease{"drlee"}, "drlee").ok());
  at(31);
  EXPECT_EQ(loop.runOnce().value(), 2) << "the warning (overdue too) and the breach";
  auto t = tasks->get(id);
  EXPECT_EQ(t->state, TaskState::InProgress);
  EXPECT_EQ(t->claimed_by, "drlee");
  EXPECT_TRUE(t->sla_breached);
  EXPECT_EQ(tasks->recentBreaches(1)->at(0).cause, "reading");
  EXPECT_EQ(tasks->recentBreaches(1)->at(0).reader, "drlee");
}

TEST_F(SlaTimerTest, LapsedLeaseGoesBackToTheAssignedReaderAndDeliveredTasksNeverBreach) {
  auto tasks = service();
  worklist::SlaTimerLoop loop(*tasks, nullptr);
  const std::string leased = createStat(*tasks, 3);
  const std::string done = createStat(*tasks, 4, "drkim");
  ASSERT_TRUE(tasks->apply(leased, cmd::Claim{"drlee"}, "drlee").ok());
  ASSERT_TRUE(tasks->apply(done, cmd::Claim{"drkim"}, "drkim").ok());
  ASSERT_TRUE(tasks->apply(done, cmd::Report{ReportStatus::Final, "drkim", false, "d1"}, "drkim").ok());
  ASSERT_TRUE(tasks->apply(done, cmd::DeliveryResult{"d1", true, ""}, "site").ok());
  at(11);
  EXPECT_EQ(loop.runOnce().value(), 1);
  auto t = tasks->getWithHistory(leased);
  EXPECT_EQ(t->task.state, TaskState::Assigned);
  EXPECT_TRUE(t->task.claimed_by.empty());
  EXPECT_EQ(t->history.back().type, worklist::kEventLeaseLapsed);
  at(60);
  loop.runOnce().value();
  EXPECT_EQ(tasks->get(done)->state, TaskState::Delivered);
  EXPECT_FALSE(tasks->get(done)->sla_breached);
  EXPECT_FALSE(tasks->nextTimer()->has_value()) << "no timer left behind";
}

TEST_F(SlaTimerTest, TwoNodesActOnEachTimerOnce) {
  auto node_a = service();
  auto node_b = service();
  RecordingNotifier notifier;
  worklist::SlaTimerLoop loop_a(*node_a, &notifier), loop_b(*node_b, &notifier);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(createStat(*node_a, 100 + i));
  at(30);
  std::thread a([&] { (void)loop_a.runOnce(); });
  std::thread b([&] { (void)loop_b.runOnce(); });
  a.join();
  b.join();
  std::size_t warnings = 0, breaches = 0;
  for (const auto& n : notifier.notices) (n.kind == "sla_warning" ? warnings : breaches)++;
  EXPECT_EQ(warnings, ids.size());
  EXPECT_EQ(breaches, ids.size());
  EXPECT_EQ(node_a->recentBreaches(100)->size(), ids.size());
  for (const auto& id : ids) EXPECT_EQ(node_a->get(id)->state, TaskState::Escalated);
}

TEST_F(SlaTimerTest, TheThreadWakesForATimerAndStopsPromptly) {
  auto tasks = service();
  RecordingNotifier notifier;
  worklist::SlaTimerLoop loop(*tasks, &notifier, 50ms);
  const std::string id = createStat(*tasks, 5);
  loop.start();
  at(30);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (tasks->get(id)->state == TaskState::Escalated) break;
    std::this_thread::sleep_for(10ms);
  }
  loop.stop();
  EXPECT_EQ(tasks->get(id)->state, TaskState::Escalated);
}

TEST_F(SlaTimerTest, WebhookIsPostedAndRetriedWithoutBlockingTheTimerThread) {
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::atomic<int> calls{0};
  http::HttpServer receiver("127.0.0.1", 0);
  receiver.route("POST", "/sla", [&](const http::Request& r) {
    // The first try fails: the sender must try again.
    if (calls.fetch_add(1) == 0) return http::jsonError(503, "busy");
    std::lock_guard lock(mutex);
    bodies.push_back(r.body);
    return http::Response{};
  });
  auto port = receiver.start();
  ASSERT_TRUE(port.ok());
  http::WebhookOptions options;
  options.url = "http://127.0.0.1:" + std::to_string(port.value()) + "/sla";
  options.initial_backoff = 20ms;
  http::WebhookSender sender(options);
  ASSERT_TRUE(sender.start().ok());
  app::SlaWebhookNotifier notifier(sender);

  auto tasks = service();
  worklist::SlaTimerLoop loop(*tasks, &notifier);
  const std::string id = createStat(*tasks, 6);
  at(30);
  const auto before = std::chrono::steady_clock::now();
  ASSERT_EQ(loop.runOnce().value(), 2);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s) << "the timer thread never waits on the receiver";
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (sender.delivered() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  sender.stop();
  receiver.stop();
  EXPECT_EQ(sender.delivered(), 2u);
  EXPECT_EQ(calls.load(), 3) << "one failed try, then both notices";
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_NE(bodies[1].find("\"kind\":\"sla_breached\""), std::string::npos) << bodies[1];
  EXPECT_NE(bodies[1].find("\"cause\":\"claim\""), std::string::npos);
  EXPECT_NE(bodies[1].find("\"task_id\":\"" + id + "\""), std::string::npos);
}

}  // namespace
}  // namespace sundial::adapters::redis
