#include "engine/forward/forward_worker.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"

namespace sundial::engine {
namespace {

using std::chrono::milliseconds;

class ForwardWorkerTest : public ::testing::Test {
 protected:
  ForwardWorkerTest() {
    auto queue = std::make_unique<testing::FakeForwardQueue>();
    auto sender = std::make_unique<testing::FakeSender>();
    queue_ = queue.get();
    sender_ = sender.get();
    ForwardWorkerOptions options;
    options.destination = "ARCHIVE";
    options.worker_id = "ARCHIVE#0";
    options.promotes_retries = true;
    options.batch_size = 10;
    worker_ = std::make_unique<ForwardWorker>(options, std::move(queue), std::move(sender), spool_,
                                              RetryPolicy(3, milliseconds(1000), milliseconds(8000), 1),
                                              clock_, metrics_);
  }

  void enqueue(const std::string& sop) {
    ForwardJob job;
    job.destination = "ARCHIVE";
    job.sop_instance_uid = sop;
    job.spool_path = "/spool/1/" + sop + ".dcm";
    queue_->ready.push_back(job);
  }

  testing::FakeClock clock_;
  testing::FakeSpool spool_;
  Metrics metrics_;
  testing::FakeForwardQueue* queue_;
  testing::FakeSender* sender_;
  std::unique_ptr<ForwardWorker> worker_;
};

TEST_F(ForwardWorkerTest, SendsAndAcknowledgesEachJob) {
  enqueue("1.1");
  enqueue("1.2");
  EXPECT_EQ(worker_->stepForTest(), ForwardStep::Continue);
  EXPECT_EQ(sender_->attempted, (std::vector<std::string>{"1.1", "1.2"}));
  EXPECT_EQ(queue_->acknowledged.size(), 2u);
  EXPECT_TRUE(queue_->in_flight.empty());
}

TEST_F(ForwardWorkerTest, RemovesTheSpoolFileOnlyWhenTheInstanceIsDoneEverywhere) {
  enqueue("1.1");
  enqueue("1.2");
  queue_->done_instances.insert("1.2");
  worker_->stepForTest();
  ASSERT_EQ(spool_.removed.size(), 1u);
  EXPECT_EQ(spool_.removed[0], "/spool/1/1.2.dcm");
}

TEST_F(ForwardWorkerTest, DestinationDownSchedulesTheWholeBatchForRetry) {
  enqueue("1.1");
  enqueue("1.2");
  enqueue("1.3");
  sender_->script.push_back(makeError(ErrorCode::Unavailable, "connection refused"));
  worker_->stepForTest();
  EXPECT_EQ(sender_->attempted.size(), 1u) << "no point trying the rest while it is down";
  EXPECT_EQ(queue_->waiting.size(), 3u);
  EXPECT_TRUE(queue_->acknowledged.empty());
  EXPECT_GE(sender_->releases, 1);

  // Not yet due: nothing is promoted.
  clock_.advance(milliseconds(300));
  worker_->stepForTest();
  EXPECT_EQ(queue_->waiting.size(), 3u);
  // Due (backoff <= 1 s for the first attempt): delivered.
  clock_.advance(milliseconds(1000));
  worker_->stepForTest();
  EXPECT_EQ(queue_->acknowledged.size(), 3u);
}

TEST_F(ForwardWorkerTest, DeadLettersAfterTheConfiguredAttempts) {
  enqueue("1.1");
  queue_->ready.front().attempts = 2;  // this failure is the third
  sender_->script.push_back(makeError(ErrorCode::Unavailable, "connection refused"));
  worker_->stepForTest();
  ASSERT_EQ(queue_->dead.size(), 1u);
  EXPECT_NE(queue_->dead[0].second.find("connection refused"), std::string::npos);
}

TEST_F(ForwardWorkerTest, RefusedInstanceIsDeadLetteredAtOnceAndTheBatchGoesOn) {
  enqueue("1.1");
  enqueue("1.2");
  sender_->script.push_back(makeError(ErrorCode::InvalidInput, "status 0xA900"));
  worker_->stepForTest();
  EXPECT_EQ(queue_->dead.size(), 1u);
  EXPECT_EQ(queue_->acknowledged.size(), 1u);
}

TEST_F(ForwardWorkerTest, ReclaimsItsInFlightJobsFirst) {
  ForwardJob left;
  left.sop_instance_uid = "0.9";
  queue_->in_flight.push_back(left);
  worker_->stepForTest();
  EXPECT_EQ(sender_->attempted, (std::vector<std::string>{"0.9"}));
}

TEST_F(ForwardWorkerTest, QueueDownIsRetriedNotFatal) {
  queue_->available = false;
  EXPECT_EQ(worker_->stepForTest(), ForwardStep::RetryLater);
  queue_->available = true;
  enqueue("1.1");
  EXPECT_EQ(worker_->stepForTest(), ForwardStep::Continue);
}

}  // namespace
}  // namespace sundial::engine
