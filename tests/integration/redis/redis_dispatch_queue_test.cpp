// Contract tests of RedisDispatchQueue and of study routing (completion → dispatch queue →
// routeStudy) against a real redis-server.

#include "adapters/redis/redis_dispatch_queue.h"

#include "adapters/redis/redis_forward_queue.h"
#include "adapters/redis/redis_state_store.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

using std::chrono::milliseconds;

class RedisDispatchQueueTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = std::make_unique<RedisStateStore>(clientOptions(), kPrefix);
    queue_ = std::make_unique<RedisForwardQueue>(clientOptions(), kPrefix, clock_);
    dispatch_ = std::make_unique<RedisDispatchQueue>(clientOptions(), kPrefix);
  }

  long long ready(const std::string& destination) {
    auto depth = queue_->depth(destination);
    EXPECT_TRUE(depth.ok());
    return depth.ok() ? depth->ready : -1;
  }

  std::vector<std::string> take(long long now_ms, long long lease_ms = 1000) {
    auto taken = dispatch_->take(fromEpochMs(now_ms), milliseconds(lease_ms), 10);
    EXPECT_TRUE(taken.ok()) << (taken.ok() ? "" : taken.error().describe());
    return taken.ok() ? *taken : std::vector<std::string>{};
  }

  ManualClock clock_;
  std::unique_ptr<RedisStateStore> store_;
  std::unique_ptr<RedisForwardQueue> queue_;
  std::unique_ptr<RedisDispatchQueue> dispatch_;
};

TEST_F(RedisDispatchQueueTest, CompletionQueuesTheStudyForDispatchOnce) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 1, {"ARCH"}, {})}).ok());
  EXPECT_TRUE(take(kBaseMs + 10'000).empty()) << "a receiving study is not dispatched";
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 100), {"ARCH"}).ok());
  EXPECT_EQ(take(kBaseMs + 50), std::vector<std::string>{}) << "not due before completion";
  EXPECT_EQ(take(kBaseMs + 100), std::vector<std::string>{studyUid(1)});
  // Leased: not taken again until the lease ends, then taken again (its dispatcher died).
  EXPECT_TRUE(take(kBaseMs + 600).empty());
  EXPECT_EQ(take(kBaseMs + 1200), std::vector<std::string>{studyUid(1)});
  ASSERT_TRUE(dispatch_->done(studyUid(1)).ok());
  EXPECT_TRUE(take(kBaseMs + 100'000).empty());
  // Late instances re-open and re-complete the study: it is not dispatched a second time.
  ASSERT_TRUE(store_->recordInstances({makeRecord(1, 2, {"ARCH"}, {})}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs + 5000), {"ARCH"}).ok());
  EXPECT_TRUE(take(kBaseMs + 100'000).empty());
  // Unless it is put back on purpose (escalation, re-dispatch by hand).
  ASSERT_TRUE(dispatch_->requeue(studyUid(1), fromEpochMs(kBaseMs + 6000)).ok());
  EXPECT_EQ(take(kBaseMs + 6000), std::vector<std::string>{studyUid(1)});
}

TEST_F(RedisDispatchQueueTest, PostponedStudyComesBackWhenDue) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(2, 1, {"ARCH"}, {})}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(2), fromEpochMs(kBaseMs), {"ARCH"}).ok());
  ASSERT_EQ(take(kBaseMs).size(), 1u);
  ASSERT_TRUE(dispatch_->postpone(studyUid(2), fromEpochMs(kBaseMs + 60'000)).ok());
  EXPECT_TRUE(take(kBaseMs + 59'999, 1).empty());
  EXPECT_EQ(take(kBaseMs + 60'000), std::vector<std::string>{studyUid(2)});
  auto depth = dispatch_->depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, 1);
  EXPECT_FALSE(dispatch_->postpone("not a uid", fromEpochMs(kBaseMs)).ok());
}

TEST_F(RedisDispatchQueueTest, RoutedDestinationGetsEveryInstanceIncludingLateOnes) {
  ASSERT_TRUE(store_
                  ->recordInstances({makeRecord(3, 1, {"ARCH"}, {}), makeRecord(3, 2, {"ARCH"}, {})})
                  .ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(3), fromEpochMs(kBaseMs), {"ARCH"}).ok());
  EXPECT_EQ(ready("ARCH"), 2);
  auto routed = store_->routeStudy(studyUid(3), {"READER"});
  ASSERT_TRUE(routed.ok()) << routed.error().describe();
  EXPECT_EQ(routed->enqueued, 2);
  EXPECT_EQ(ready("READER"), 2);
  // Routing again enqueues nothing twice.
  ASSERT_TRUE(store_->routeStudy(studyUid(3), {"READER"}).ok());
  EXPECT_EQ(ready("READER"), 2);
  // A late instance follows the study to the routed destination at re-completion.
  ASSERT_TRUE(store_->recordInstances({makeRecord(3, 3, {"ARCH"}, {})}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(3), fromEpochMs(kBaseMs + 9000), {"ARCH"}).ok());
  EXPECT_EQ(ready("ARCH"), 3);
  EXPECT_EQ(ready("READER"), 3);
  EXPECT_FALSE(store_->routeStudy(studyUid(9), {"READER"}).ok()) << "unknown study";
}

TEST_F(RedisDispatchQueueTest, ForgottenStudyLeavesTheQueueAndItsExclusions) {
  ASSERT_TRUE(store_->recordInstances({makeRecord(4, 1, {}, {})}).ok());
  ASSERT_TRUE(store_->completeStudy(studyUid(4), fromEpochMs(kBaseMs), {}).ok());
  ASSERT_TRUE(dispatch_->exclude(studyUid(4), "dr_a").ok());
  auto excluded = dispatch_->exclusions(studyUid(4));
  ASSERT_TRUE(excluded.ok());
  EXPECT_EQ(*excluded, std::vector<std::string>{"dr_a"});
  auto forgotten = store_->forgetFinishedStudies(fromEpochMs(kBaseMs + 1), 10);
  ASSERT_TRUE(forgotten.ok());
  EXPECT_EQ(*forgotten, 1);
  auto depth = dispatch_->depth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, 0);
  excluded = dispatch_->exclusions(studyUid(4));
  ASSERT_TRUE(excluded.ok());
  EXPECT_TRUE(excluded->empty());
}

TEST_F(RedisDispatchQueueTest, DispatchHoldKeepsSpoolFilesUntilRoutedThenReleasesThem) {
  auto held = [](int n) {
    auto record = makeRecord(5, n, {"ARCH"}, {"ARCH"});
    record.hold_for_dispatch = true;
    return record;
  };
  ASSERT_TRUE(store_->recordInstances({held(1), held(2)}).ok());
  // The archive has both: without the hold their files would be unneeded now.
  auto jobs = queue_->claim("ARCH", "w1", 10, milliseconds(10));
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  for (const auto& job : *jobs) {
    auto acked = queue_->acknowledge(job, "w1");
    ASSERT_TRUE(acked.ok());
    EXPECT_FALSE(acked->instance_done) << "held for dispatch: the file stays";
  }
  auto finished = store_->finishedInstances({sopUid(5, 1), sopUid(5, 2)});
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ(*finished, (std::vector<bool>{false, false}));
  // Dispatch routes the study to a reader: the files stay for the reader's jobs.
  auto routed = store_->routeStudy(studyUid(5), {"READER"});
  ASSERT_TRUE(routed.ok());
  EXPECT_EQ(routed->enqueued, 2);
  EXPECT_TRUE(routed->unneeded_files.empty());
  // A study dispatched without more destinations: the released files are returned.
  auto other = makeRecord(6, 1, {"ARCH"}, {});
  other.hold_for_dispatch = true;
  ASSERT_TRUE(store_->recordInstances({other}).ok());
  auto released = store_->routeStudy(studyUid(6), {});
  ASSERT_TRUE(released.ok());
  EXPECT_TRUE(released->unneeded_files.empty()) << "the archive still needs it";
  ASSERT_TRUE(store_->completeStudy(studyUid(6), fromEpochMs(kBaseMs), {"ARCH"}).ok());
  auto next = queue_->claim("ARCH", "w1", 10, milliseconds(10));
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  auto acked = queue_->acknowledge(next->front(), "w1");
  ASSERT_TRUE(acked.ok());
  EXPECT_TRUE(acked->instance_done) << "hold released: the archive was the last";
  // A late instance of a study already dispatched is not held.
  ASSERT_TRUE(store_->completeStudy(studyUid(5), fromEpochMs(kBaseMs), {"ARCH"}).ok());
  ASSERT_TRUE(dispatch_->done(studyUid(5)).ok());
  ASSERT_TRUE(store_->recordInstances({held(3)}).ok());
  auto hold = queue_->clientForTest().command({"HGET", queue_->keys().instance(sopUid(5, 3)), "hold"});
  ASSERT_TRUE(hold.ok());
  EXPECT_TRUE(hold->isNil()) << "a late instance of a dispatched study is not held";
}

}  // namespace
}  // namespace sundial::adapters::redis
