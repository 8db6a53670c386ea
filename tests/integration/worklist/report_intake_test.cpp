// Reports into the worklist against a real redis-server (issue 5): a final report received a
// second time word for word is recorded but neither sent again nor taken for an addendum; the
// site's ACK of a report delivered while Redis is down moves the task to "delivered" once
// Redis is back (redis-server stopped and started again by its PID in the middle of delivery).

#include "worklist/report_intake.h"

#include <gtest/gtest.h>

#include "adapters/redis/redis_report_outbox.h"
#include "adapters/redis/redis_task_store.h"
#include "engine/audit/digest.h"
#include "engine/metrics/metrics.h"
#include "engine/reports/report_sender.h"
#include "tests/integration/redis/redis_test_fixture.h"
#include "tests/support/fake_report_outbox.h"

namespace sundial::adapters::redis {
namespace {

using worklist::Task;
using worklist::TaskService;
using worklist::TaskState;

constexpr char kSite[] = "north";

std::string sha256(std::string_view data) { return engine::audit::sha256Hex(data); }

// The outbox as the worklist sees it: every report queued is kept, in order.
class RecordingOutbox final : public engine::ReportOutbox {
 public:
  Result<std::string> enqueue(const Report& report, const std::string& task_id) override {
    queued.push_back({report, task_id});
    return "D" + std::to_string(queued.size());
  }
  std::vector<std::pair<Report, std::string>> queued;
};

// The worklist's reports queued into the real Redis outbox the sender drains.
class RedisBackedOutbox final : public engine::ReportOutbox {
 public:
  RedisBackedOutbox(RedisClientOptions options, const Clock& clock)
      : store_(std::move(options), kPrefix, clock) {}
  Result<std::string> enqueue(const Report& report, const std::string& task_id) override {
    engine::OutboxEntry entry;
    entry.delivery_id = "D" + std::to_string(++sequence_);
    entry.task_id = task_id;
    entry.site = report.site;
    entry.message = "MSH|^~\\&|SUNDIAL|TELERAD|RIS|NORTH||ORU^R01|" + entry.delivery_id + "|P|2.5.1\r";
    if (auto added = store_.add(entry); !added) return added.error();
    return entry.delivery_id;
  }

 private:
  RedisReportOutbox store_;
  int sequence_ = 0;
};

class ReportIntakeTest : public RedisTest {
 protected:
  // Append-only, so that what was stored before the stop is there after the start.
  testing::RedisServerOptions serverOptions() const override { return {.appendonly = true}; }

  std::unique_ptr<TaskService> service() {
    return std::make_unique<TaskService>(
        std::make_unique<RedisTaskStore>(clientOptions(), kPrefix), clock_, audit_,
        worklist::SlaPolicy{}, worklist::LifecyclePolicy{10min}, worklist::RvuTable{});
  }

  static Task createTask(TaskService& tasks, int n) {
    worklist::NewTask t;
    t.study_uids = {studyUid(n)};
    t.site = kSite;
    t.modality = "CT";
    t.reader = "lee";
    t.order.accession_number = "ACC" + std::to_string(n);
    auto created = tasks.create(t, "dispatcher");
    EXPECT_TRUE(created.ok()) << created.error().describe();
    return created.ok() ? created.value() : Task{};
  }

  static Report oru(int n, ReportStatus status, const std::string& text) {
    Report report;
    report.site = kSite;
    report.accession_number = "ACC" + std::to_string(n);
    report.status = status;
    report.text = text;
    report.reader_id = "lee^LEE^DR";
    return report;
  }

  static std::string lastEvent(TaskService& tasks, const std::string& id) {
    auto read = tasks.getWithHistory(id);
    EXPECT_TRUE(read.ok());
    return read.ok() && !read->history.empty() ? read->history.back().type : "";
  }

  ManualClock clock_;
  engine::NullAuditSink audit_;
};

TEST_F(ReportIntakeTest, TheSameFinalReportAgainIsRecordedButNeitherSentNorAnAddendum_Issue5) {
  auto tasks = service();
  RecordingOutbox outbox;
  worklist::ReportIntake intake(*tasks, &outbox, sha256);
  const Task task = createTask(*tasks, 1);

  auto final_report = intake.fromReportingSystem(oru(1, ReportStatus::Final, "No acute findings."));
  ASSERT_TRUE(final_report.ok()) << final_report.error().describe();
  ASSERT_EQ(outbox.queued.size(), 1u);
  ASSERT_TRUE(intake.onDelivery({"D1", task.id, kSite, true, ""}));
  ASSERT_EQ(tasks->get(task.id)->state, TaskState::Delivered);

  // The reporting system sends it again (a new message control ID, the same report).
  auto repeat = intake.fromReportingSystem(oru(1, ReportStatus::Final, "No acute findings."));
  ASSERT_TRUE(repeat.ok()) << "accepted, so that the sender gets its AA: " << repeat.error().describe();
  EXPECT_EQ(outbox.queued.size(), 1u) << "not sent to the site again";
  EXPECT_EQ(repeat->state, TaskState::Delivered);
  EXPECT_EQ(lastEvent(*tasks, task.id), worklist::kEventReportRepeated);

  // A real addendum still goes out; so does a correction, even of the same words.
  auto addendum = intake.fromReportingSystem(oru(1, ReportStatus::Final, "No acute findings. Addendum: 5 mm nodule."));
  ASSERT_TRUE(addendum.ok());
  EXPECT_EQ(outbox.queued.size(), 2u);
  EXPECT_EQ(addendum->state, TaskState::Final);
  EXPECT_EQ(lastEvent(*tasks, task.id), worklist::kEventAddendum);
  ASSERT_TRUE(intake.fromReportingSystem(oru(1, ReportStatus::Final, "No acute findings. Addendum: 5 mm nodule.")).ok());
  EXPECT_EQ(outbox.queued.size(), 2u);
  auto correction = intake.fromReportingSystem(oru(1, ReportStatus::Corrected, "No acute findings. Addendum: 5 mm nodule."));
  ASSERT_TRUE(correction.ok());
  EXPECT_EQ(outbox.queued.size(), 3u);
  EXPECT_EQ(lastEvent(*tasks, task.id), worklist::kEventCorrected);
  EXPECT_EQ(outbox.queued.back().first.status, ReportStatus::Corrected);
}

TEST_F(ReportIntakeTest, AnAckArrivingWhileRedisIsDownDeliversTheTaskOnceRedisIsBack_Issue5) {
  auto tasks = service();
  RedisBackedOutbox outbox(clientOptions(), clock_);
  worklist::ReportIntake intake(*tasks, &outbox, sha256);
  const Task task = createTask(*tasks, 2);
  ASSERT_TRUE(intake.fromReportingSystem(oru(2, ReportStatus::Final, "Normal study.")).ok());
  ASSERT_EQ(tasks->get(task.id)->state, TaskState::Final);

  engine::DeliveryNotifier notifier;
  notifier.setListener([&intake](const engine::ReportDelivery& d) { return intake.onDelivery(d); });
  auto transport = std::make_unique<testing::FakeReportTransport>();
  auto* site = transport.get();
  // The site answers AA, but by the time its ACK is in, redis-server is gone.
  site->on_send = [this] { server_->stop(); };
  engine::ReportSenderOptions options;
  options.site = kSite;
  options.worker_id = "node1-reports-north";
  options.claim_wait = 10ms;
  options.outcome_retry_interval = 100ms;
  engine::Metrics metrics;
  engine::ReportSender sender(options, std::make_unique<RedisReportOutbox>(clientOptions(), kPrefix, clock_),
                              std::move(transport), engine::RetryPolicy(5, 100ms, 1s, 7), notifier,
                              clock_, metrics);
  EXPECT_EQ(sender.stepForTest(), engine::ReportStep::StoreDown);
  EXPECT_EQ(site->sent.size(), 1u);
  site->on_send = nullptr;

  ASSERT_TRUE(server_->start()) << server_->error();
  bool delivered = false;
  for (int step = 0; step < 50 && !delivered; ++step) {
    clock_.now_ms += 200;
    sender.stepForTest();
    auto now = tasks->get(task.id);
    delivered = now.ok() && now->state == TaskState::Delivered;
  }
  EXPECT_TRUE(delivered) << "the task stayed " << taskStateName(tasks->get(task.id)->state);
  EXPECT_EQ(site->sent.size(), 1u) << "the report reached the site once";
  auto read = tasks->getWithHistory(task.id);
  ASSERT_TRUE(read.ok());
  int delivered_events = 0;
  for (const auto& event : read->history) delivered_events += event.type == worklist::kEventDelivered;
  EXPECT_EQ(delivered_events, 1);
}

}  // namespace
}  // namespace sundial::adapters::redis
