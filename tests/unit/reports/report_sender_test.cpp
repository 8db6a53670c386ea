#include "engine/reports/report_sender.h"

#include <gtest/gtest.h>

#include "tests/support/fake_report_outbox.h"
#include "tests/support/fakes.h"
#include "tests/unit/audit/recording_audit_sink.h"

namespace sundial::engine {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeOutboxStore;
using testing::FakeReportTransport;

constexpr int kMaxAttempts = 3;
constexpr auto kInitialBackoff = 1000ms;
constexpr auto kIdleTimeout = 30s;

class ReportSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = std::make_unique<FakeOutboxStore>();
    auto transport = std::make_unique<FakeReportTransport>();
    store_ = store.get();
    transport_ = transport.get();
    notifier_.setListener([this](const ReportDelivery& d) {
      heard_.push_back(d);
      return listener_takes_;
    });
    ReportSenderOptions options;
    options.site = "NORTH";
    options.worker_id = "node1-reports-NORTH";
    options.idle_connection_timeout = kIdleTimeout;
    options.audit = &audit_;
    sender_ = std::make_unique<ReportSender>(options, std::move(store), std::move(transport),
                                             RetryPolicy(kMaxAttempts, kInitialBackoff, 60s, 7),
                                             notifier_, clock_, metrics_);
  }

  void queue(const std::string& id, const std::string& site = "NORTH") {
    OutboxEntry entry;
    entry.delivery_id = id;
    entry.task_id = "task-" + id;
    entry.site = site;
    entry.accession_number = "ACC-" + id;
    entry.patient_id = "MRN-" + id;
    entry.message = "MSH|^~\\&|SUNDIAL||||||ORU^R01|" + id + "|P|2.5.1\r";
    ASSERT_TRUE(store_->add(entry).ok());
  }

  std::uint64_t counter(const std::string& name) {
    return metrics_.counter(name, "", {{"site", "NORTH"}}).value();
  }

  FakeClock clock_;
  Metrics metrics_;
  DeliveryNotifier notifier_;
  bool listener_takes_ = true;  // false: the worklist cannot apply outcomes (its Redis is down)
  audit::test::RecordingAuditSink audit_;
  std::vector<ReportDelivery> heard_;
  FakeOutboxStore* store_ = nullptr;
  FakeReportTransport* transport_ = nullptr;
  std::unique_ptr<ReportSender> sender_;
};

TEST_F(ReportSenderTest, DeliversOnAaAndTellsTheListener) {
  queue("D1");
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  ASSERT_EQ(transport_->sent.size(), 1u);
  EXPECT_NE(transport_->sent[0].find("|D1|"), std::string::npos);
  EXPECT_EQ(store_->stateOf("D1"), "delivered");
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_TRUE(heard_[0].delivered);
  EXPECT_EQ(heard_[0].delivery_id, "D1");
  EXPECT_EQ(heard_[0].task_id, "task-D1");
  EXPECT_EQ(heard_[0].site, "NORTH");
  EXPECT_EQ(counter("sundial_reports_sent_total"), 1u);
  EXPECT_EQ(counter("sundial_reports_delivered_total"), 1u);
  EXPECT_EQ(counter("sundial_reports_failed_total"), 0u);
  const auto records = audit_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].action, "report.delivered");
  EXPECT_EQ(records[0].outcome, "success");
  EXPECT_EQ(records[0].site, "NORTH");
  EXPECT_EQ(records[0].accession_number, "ACC-D1");
  EXPECT_EQ(records[0].patient_id, "MRN-D1");
  EXPECT_EQ(records[0].details.at("delivery_id"), "D1");
  EXPECT_EQ(records[0].details.at("task_id"), "task-D1");
}

TEST_F(ReportSenderTest, IdleWhenNothingIsQueuedAndLeavesOtherSitesAlone) {
  queue("D1", "SOUTH");
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Idle);
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(store_->stateOf("D1"), "ready");
}

TEST_F(ReportSenderTest, RetriesAnAeWithTheSitesTextThenDeadLettersAfterMaxAttempts) {
  queue("D1");
  for (int i = 0; i < kMaxAttempts; ++i) {
    transport_->script.push_back(FakeReportTransport::error("Order ACC1 not found"));
  }
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  EXPECT_EQ(store_->stateOf("D1"), "waiting");
  EXPECT_EQ(store_->deliveries.at("D1").entry.last_error, "AE: Order ACC1 not found");
  EXPECT_TRUE(heard_.empty());  // a retry is not an outcome
  EXPECT_TRUE(audit_.records().empty());

  // Not due yet: nothing is sent.
  clock_.advance(400ms);
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Idle);
  EXPECT_EQ(transport_->sent.size(), 1u);

  for (int attempt = 2; attempt <= kMaxAttempts; ++attempt) {
    clock_.advance(60s);
    EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent) << attempt;
  }
  EXPECT_EQ(transport_->sent.size(), static_cast<std::size_t>(kMaxAttempts));
  EXPECT_EQ(store_->stateOf("D1"), "dead");
  EXPECT_EQ(store_->deliveries.at("D1").entry.attempts, kMaxAttempts);
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_FALSE(heard_[0].delivered);
  EXPECT_EQ(heard_[0].error_text, "AE: Order ACC1 not found");
  EXPECT_EQ(counter("sundial_reports_failed_total"), static_cast<std::uint64_t>(kMaxAttempts));
  EXPECT_EQ(counter("sundial_reports_dead_letters_total"), 1u);
  // The site answered each time: the connection stayed open.
  EXPECT_EQ(transport_->connects, 1);
}

TEST_F(ReportSenderTest, DeadLettersAnArAtOnce) {
  queue("D1");
  transport_->script.push_back(FakeReportTransport::rejected("Unsupported version"));
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  EXPECT_EQ(store_->stateOf("D1"), "dead");
  EXPECT_EQ(store_->deliveries.at("D1").entry.attempts, 1);
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_FALSE(heard_[0].delivered);
  EXPECT_EQ(heard_[0].error_text, "AR: Unsupported version");
  const auto records = audit_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].action, "report.dead_lettered");
  EXPECT_EQ(records[0].outcome, "failure");
  EXPECT_EQ(records[0].details.at("reason"), "AR: Unsupported version");
  EXPECT_EQ(records[0].details.at("attempts"), "1");
}

TEST_F(ReportSenderTest, RetriesASilentSiteWithGrowingBackoffAndJitter) {
  queue("D1");
  for (int i = 0; i < 2; ++i) {
    transport_->script.push_back(makeError(ErrorCode::Unavailable, "no ACK in time", "h:1"));
  }
  const UtcTime start = clock_.utcNow();
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  const auto first_wait = store_->deliveries.at("D1").due - start;
  EXPECT_GE(first_wait, kInitialBackoff / 2);
  EXPECT_LE(first_wait, kInitialBackoff);
  EXPECT_NE(store_->deliveries.at("D1").entry.last_error.find("no ACK in time"), std::string::npos);

  clock_.advance(std::chrono::duration_cast<std::chrono::milliseconds>(first_wait));
  const UtcTime second_start = clock_.utcNow();
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  const auto second_wait = store_->deliveries.at("D1").due - second_start;
  EXPECT_GE(second_wait, kInitialBackoff);  // 2 s with a factor in [0.5, 1]
  EXPECT_LE(second_wait, 2 * kInitialBackoff);

  clock_.advance(std::chrono::duration_cast<std::chrono::milliseconds>(second_wait));
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);  // the site answers AA now
  EXPECT_EQ(store_->stateOf("D1"), "delivered");
  EXPECT_EQ(transport_->connects, 3);  // each failure dropped the connection
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_TRUE(heard_[0].delivered);
}

TEST_F(ReportSenderTest, DeadLettersASiteThatNeverAnswers) {
  queue("D1");
  for (int i = 0; i < kMaxAttempts; ++i) {
    transport_->script.push_back(makeError(ErrorCode::Unavailable, "cannot connect: refused"));
  }
  for (int i = 0; i < kMaxAttempts; ++i) {
    EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
    clock_.advance(60s);
  }
  EXPECT_EQ(store_->stateOf("D1"), "dead");
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_NE(heard_[0].error_text.find("refused"), std::string::npos);
}

TEST_F(ReportSenderTest, KeepsTheConnectionBetweenReportsAndClosesItWhenIdle) {
  queue("D1");
  queue("D2");
  queue("D3");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  EXPECT_EQ(transport_->connects, 1);
  EXPECT_EQ(transport_->sent.size(), 3u);
  EXPECT_NE(transport_->sent[0].find("|D1|"), std::string::npos);  // oldest first
  EXPECT_NE(transport_->sent[2].find("|D3|"), std::string::npos);

  clock_.advance(kIdleTimeout - 1s);
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Idle);
  EXPECT_TRUE(transport_->connected());
  clock_.advance(1s);
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Idle);
  EXPECT_FALSE(transport_->connected());
  EXPECT_EQ(transport_->closes, 1);
}

TEST_F(ReportSenderTest, ReclaimsWhatItHeldBeforeARestart) {
  queue("D1");
  ASSERT_TRUE(store_->claim("NORTH", "node1-reports-NORTH", 0ms).value());  // then a crash
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  EXPECT_EQ(store_->reclaims, 1);
  EXPECT_EQ(store_->stateOf("D1"), "delivered");
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Idle);
  EXPECT_EQ(store_->reclaims, 1);  // once per start
}

TEST_F(ReportSenderTest, AnOutcomeTheStoreMissedIsRecordedBeforeTheListenerHearsOfIt) {
  queue("D1");
  queue("D2");
  transport_->on_send = [this] { store_->available = false; };
  EXPECT_EQ(sender_->stepForTest(), ReportStep::StoreDown);
  EXPECT_TRUE(heard_.empty());
  EXPECT_EQ(store_->stateOf("D1"), "inflight");

  transport_->on_send = nullptr;
  EXPECT_EQ(sender_->stepForTest(), ReportStep::StoreDown);  // still down: nothing claimed
  EXPECT_EQ(transport_->sent.size(), 1u);

  store_->available = true;
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);  // records D1, then sends D2
  EXPECT_EQ(store_->stateOf("D1"), "delivered");
  EXPECT_EQ(store_->stateOf("D2"), "delivered");
  ASSERT_EQ(heard_.size(), 2u);
  EXPECT_EQ(heard_[0].delivery_id, "D1");
  EXPECT_EQ(transport_->sent.size(), 2u);  // D1 was not sent twice
}

// Issue 5: the site ACKed, the outbox recorded it, but the worklist could not move the task
// (its Redis was unreachable). The outcome stays noted and is offered again until taken.
TEST_F(ReportSenderTest, AnOutcomeTheListenerCouldNotTakeIsOfferedAgainUntilTaken_Issue5) {
  queue("D1");
  listener_takes_ = false;
  EXPECT_EQ(sender_->stepForTest(), ReportStep::Sent);
  EXPECT_EQ(store_->stateOf("D1"), "delivered");
  ASSERT_EQ(heard_.size(), 1u);
  EXPECT_EQ(store_->unapplied, std::vector<std::string>{"D1"});

  // Not before the interval: the worklist's store is not hammered.
  sender_->stepForTest();
  EXPECT_EQ(heard_.size(), 1u);
  clock_.advance(2s);
  sender_->stepForTest();
  ASSERT_EQ(heard_.size(), 2u);
  EXPECT_EQ(store_->unapplied.size(), 1u);

  listener_takes_ = true;
  clock_.advance(2s);
  sender_->stepForTest();
  ASSERT_EQ(heard_.size(), 3u);
  EXPECT_EQ(heard_[2].delivery_id, "D1");
  EXPECT_EQ(heard_[2].task_id, "task-D1");
  EXPECT_TRUE(heard_[2].delivered);
  EXPECT_TRUE(store_->unapplied.empty());
  clock_.advance(2s);
  sender_->stepForTest();
  EXPECT_EQ(heard_.size(), 3u) << "taken: not offered again";
  EXPECT_EQ(transport_->sent.size(), 1u) << "the report itself went once";
}

}  // namespace
}  // namespace sundial::engine
