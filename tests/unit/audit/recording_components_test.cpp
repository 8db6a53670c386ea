// The store-and-forward core's recording: the auditing publisher (instances received per
// study and association) and the forward worker (forwarded per study and batch, dead letters).

#include <gtest/gtest.h>

#include "engine/audit/auditing_publisher.h"
#include "engine/forward/forward_worker.h"
#include "recording_audit_sink.h"
#include "tests/support/fakes.h"

namespace sundial::engine::audit {
namespace {

using std::chrono::milliseconds;

struct CountingPublisher final : EventPublisher {
  int published = 0;
  bool fail = false;
  Result<void> publish(const Event&) override {
    if (fail) return makeError(ErrorCode::Unavailable, "bus down");
    ++published;
    return okResult();
  }
};

TEST(AuditingPublisher, RecordsEachStudyOnceWhenTheAssociationEnds) {
  test::RecordingAuditSink sink;
  {
    auto inner = std::make_unique<CountingPublisher>();
    CountingPublisher* counting = inner.get();
    AuditingPublisher publisher(std::move(inner), sink);
    for (const char* sop : {"1.1.1", "1.1.2", "1.1.3"}) {
      ASSERT_TRUE(publisher.publish(InstanceSpooled{testing::makeInstance("DEMO", "1.1", sop)}));
    }
    ASSERT_TRUE(publisher.publish(InstanceSpooled{testing::makeInstance("DEMO", "2.2", "2.2.1")}));
    counting->fail = true;
    EXPECT_FALSE(publisher.publish(InstanceSpooled{testing::makeInstance("DEMO", "2.2", "2.2.2")}));
    EXPECT_TRUE(sink.records().empty()) << "recorded at the end of the association";
  }
  auto records = sink.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].action, "instance.received");
  EXPECT_EQ(records[0].study_uid, "1.1");
  EXPECT_EQ(records[0].site, "DEMO");
  EXPECT_EQ(records[0].details.at("count"), "3");
  EXPECT_EQ(records[1].study_uid, "2.2");
  EXPECT_EQ(records[1].details.at("count"), "1") << "an instance the bus did not take is not counted";
}

class ForwardRecordingTest : public ::testing::Test {
 protected:
  ForwardRecordingTest() {
    auto queue = std::make_unique<testing::FakeForwardQueue>();
    auto sender = std::make_unique<testing::FakeSender>();
    queue_ = queue.get();
    sender_ = sender.get();
    ForwardWorkerOptions options;
    options.destination = "ARCHIVE";
    options.worker_id = "ARCHIVE#0";
    options.batch_size = 10;
    options.audit = &sink_;
    worker_ = std::make_unique<ForwardWorker>(options, std::move(queue), std::move(sender), spool_,
                                              RetryPolicy(1, milliseconds(1000), milliseconds(8000), 1),
                                              clock_, metrics_);
  }
  void enqueue(const std::string& study, const std::string& sop) {
    ForwardJob job;
    job.destination = "ARCHIVE";
    job.study_uid = study;
    job.sop_instance_uid = sop;
    job.spool_path = "/spool/" + sop + ".dcm";
    queue_->ready.push_back(job);
  }

  test::RecordingAuditSink sink_;
  testing::FakeClock clock_;
  testing::FakeSpool spool_;
  Metrics metrics_;
  testing::FakeForwardQueue* queue_;
  testing::FakeSender* sender_;
  std::unique_ptr<ForwardWorker> worker_;
};

TEST_F(ForwardRecordingTest, ForwardedPerStudyAndBatchDeadLetterWithItsReason) {
  enqueue("1.1", "1.1.1");
  enqueue("1.1", "1.1.2");
  enqueue("2.2", "2.2.1");
  sender_->script.push_back(okResult());
  sender_->script.push_back(okResult());
  sender_->script.push_back(makeError(ErrorCode::InvalidInput, "status 0xA900"));
  worker_->stepForTest();
  auto records = sink_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].action, "forward.dead_lettered");
  EXPECT_EQ(records[0].outcome, "failure");
  EXPECT_EQ(records[0].study_uid, "2.2");
  EXPECT_EQ(records[0].details.at("destination"), "ARCHIVE");
  EXPECT_NE(records[0].details.at("reason").find("0xA900"), std::string::npos);
  EXPECT_EQ(records[1].action, "instance.forwarded");
  EXPECT_EQ(records[1].study_uid, "1.1");
  EXPECT_EQ(records[1].details.at("count"), "2");
}

}  // namespace
}  // namespace sundial::engine::audit
