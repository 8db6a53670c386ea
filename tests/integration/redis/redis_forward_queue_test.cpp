// Contract tests of RedisForwardQueue against a real redis-server: the job life cycle
// (claim, acknowledge, retry, dead letter, promote, reclaim) and the blocking claim.

#include "adapters/redis/redis_forward_queue.h"

#include <string>
#include <thread>

#include "adapters/redis/redis_state_store.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

constexpr char kArchive[] = "ARCH";
constexpr char kWorkstation[] = "WS";
constexpr char kWorker[] = "w1";

class RedisForwardQueueTest : public RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = std::make_unique<RedisStateStore>(clientOptions(), kPrefix);
    queue_ = std::make_unique<RedisForwardQueue>(clientOptions(), kPrefix, clock_);
  }

  // Records `count` instances of study 1, enqueued right away for `destinations`.
  void enqueue(int count, const std::vector<std::string>& destinations) {
    std::vector<engine::InstanceRecord> batch;
    for (int n = 1; n <= count; ++n) {
      batch.push_back(makeRecord(1, n, destinations, destinations, kBaseMs + n));
    }
    ASSERT_TRUE(store_->recordInstances(batch).ok());
  }

  std::vector<engine::ForwardJob> claim(const std::string& destination, int max,
                                        const std::string& worker = kWorker) {
    auto jobs = queue_->claim(destination, worker, max, 0ms);
    EXPECT_TRUE(jobs.ok()) << jobs.error().describe();
    return jobs.ok() ? jobs.value() : std::vector<engine::ForwardJob>{};
  }

  engine::QueueDepth depth(const std::string& destination) {
    auto result = queue_->depth(destination);
    EXPECT_TRUE(result.ok());
    return result.ok() ? result.value() : engine::QueueDepth{};
  }

  engine::DestinationProgress progress(const std::string& destination) {
    auto studies = store_->listStudies(1);
    EXPECT_TRUE(studies.ok());
    for (const auto& entry : studies->front().destinations) {
      if (entry.destination == destination) return entry;
    }
    return {};
  }

  ManualClock clock_;
  std::unique_ptr<RedisStateStore> store_;
  std::unique_ptr<RedisForwardQueue> queue_;
};

TEST_F(RedisForwardQueueTest, ClaimReturnsTheJobWithWhatTheSenderNeeds) {
  enqueue(1, {kArchive});
  const auto jobs = claim(kArchive, 10);
  ASSERT_EQ(jobs.size(), 1u);
  const auto& job = jobs.front();
  const auto expected = makeRecord(1, 1, {}).instance;
  EXPECT_EQ(job.destination, kArchive);
  EXPECT_EQ(job.sop_instance_uid, expected.sop_instance_uid);
  EXPECT_EQ(job.study_uid, expected.study_uid);
  EXPECT_EQ(job.sop_class_uid, expected.sop_class_uid);
  EXPECT_EQ(job.transfer_syntax_uid, expected.transfer_syntax_uid);
  EXPECT_EQ(job.spool_path, expected.spool_path);
  EXPECT_EQ(job.attempts, 0);
  EXPECT_EQ(toEpochMs(job.received_at), kBaseMs + 1);
  const auto d = depth(kArchive);
  EXPECT_EQ(d.ready, 0);
  EXPECT_EQ(d.in_flight, 1);
}

TEST_F(RedisForwardQueueTest, ClaimTakesOldestFirstAndAtMostMax) {
  enqueue(5, {kArchive});
  const auto first = claim(kArchive, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].sop_instance_uid, sopUid(1, 1));
  EXPECT_EQ(first[1].sop_instance_uid, sopUid(1, 2));
  const auto rest = claim(kArchive, 10, "w2");
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[2].sop_instance_uid, sopUid(1, 5));
  EXPECT_EQ(depth(kArchive).in_flight, 5);
  EXPECT_TRUE(claim(kArchive, 10).empty());
}

TEST_F(RedisForwardQueueTest, InstanceIsDoneOnlyAfterItsLastDestination) {
  enqueue(1, {kArchive, kWorkstation});
  auto to_archive = claim(kArchive, 1);
  ASSERT_EQ(to_archive.size(), 1u);
  auto first = queue_->acknowledge(to_archive[0], kWorker);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->instance_done);

  auto to_workstation = claim(kWorkstation, 1);
  ASSERT_EQ(to_workstation.size(), 1u);
  auto last = queue_->acknowledge(to_workstation[0], kWorker);
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->instance_done);

  auto repeat = queue_->acknowledge(to_workstation[0], kWorker);
  ASSERT_TRUE(repeat.ok());
  EXPECT_TRUE(repeat->instance_done);
  EXPECT_EQ(progress(kWorkstation).sent, 1);
  EXPECT_EQ(progress(kWorkstation).pending, 0);
  EXPECT_EQ(progress(kArchive).sent, 1);
  EXPECT_EQ(depth(kArchive).in_flight, 0);
}

TEST_F(RedisForwardQueueTest, InstanceIsNotDoneWhileAnUnqueuedDestinationRemains) {
  // ARCH streams; WS waits for completion. Sending to ARCH alone must not free the file.
  ASSERT_TRUE(
      store_->recordInstances({makeRecord(1, 1, {kArchive, kWorkstation}, {kArchive})}).ok());
  auto jobs = claim(kArchive, 1);
  ASSERT_EQ(jobs.size(), 1u);
  auto outcome = queue_->acknowledge(jobs[0], kWorker);
  ASSERT_TRUE(outcome.ok());
  EXPECT_FALSE(outcome->instance_done);
  ASSERT_TRUE(
      store_->completeStudy(studyUid(1), fromEpochMs(kBaseMs), {kArchive, kWorkstation}).ok());
  EXPECT_EQ(depth(kArchive).ready, 0) << "sent already: completion must not enqueue it again";
  auto later = claim(kWorkstation, 1);
  ASSERT_EQ(later.size(), 1u);
  auto done = queue_->acknowledge(later[0], kWorker);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->instance_done);
}

TEST_F(RedisForwardQueueTest, RetryWaitsUntilDueThenComesBackWithTheAttemptCounted) {
  enqueue(1, {kArchive});
  auto jobs = claim(kArchive, 1);
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_TRUE(
      queue_->retryLater(jobs[0], kWorker, fromEpochMs(kBaseMs + 10'000), "peer down").ok());
  auto d = depth(kArchive);
  EXPECT_EQ(d.waiting, 1);
  EXPECT_EQ(d.in_flight, 0);
  EXPECT_TRUE(claim(kArchive, 1).empty());

  auto early = queue_->promoteDueRetries(kArchive, fromEpochMs(kBaseMs + 9'999));
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(*early, 0);
  auto due = queue_->promoteDueRetries(kArchive, fromEpochMs(kBaseMs + 10'000));
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, 1);

  auto again = claim(kArchive, 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(progress(kArchive).pending, 1);
}

TEST_F(RedisForwardQueueTest, RetryOfAJobNotInFlightIsNotFound) {
  enqueue(1, {kArchive});
  auto jobs = claim(kArchive, 1);
  ASSERT_EQ(jobs.size(), 1u);
  auto result = queue_->retryLater(jobs[0], "someone-else", fromEpochMs(kBaseMs), "x");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::NotFound);
}

TEST_F(RedisForwardQueueTest, DeadLetterKeepsTheReasonAndCountsTheStudyFailed) {
  enqueue(1, {kArchive});
  clock_.now_ms = kBaseMs + 42;
  auto jobs = claim(kArchive, 1);
  ASSERT_EQ(jobs.size(), 1u);
  const std::string reason = "C-STORE refused | status=0xA700 (out of resources)";
  auto outcome = queue_->deadLetter(jobs[0], kWorker, reason);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->instance_done);

  auto letters = queue_->deadLetters(kArchive, 10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ(letters->front().sop_instance_uid, sopUid(1, 1));
  EXPECT_EQ(letters->front().study_uid, studyUid(1));
  EXPECT_EQ(letters->front().reason, reason);
  EXPECT_EQ(toEpochMs(letters->front().at), kBaseMs + 42);
  const auto d = depth(kArchive);
  EXPECT_EQ(d.dead, 1);
  EXPECT_EQ(d.in_flight, 0);
  EXPECT_EQ(progress(kArchive).failed, 1);
  EXPECT_EQ(progress(kArchive).pending, 0);
}

TEST_F(RedisForwardQueueTest, ReclaimPutsAWorkersJobsBackInClaimOrder) {
  enqueue(3, {kArchive});
  ASSERT_EQ(claim(kArchive, 3).size(), 3u);
  auto moved = queue_->reclaim(kArchive, kWorker);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, 3);
  auto d = depth(kArchive);
  EXPECT_EQ(d.ready, 3);
  EXPECT_EQ(d.in_flight, 0);
  const auto jobs = claim(kArchive, 3, "w2");
  ASSERT_EQ(jobs.size(), 3u);
  EXPECT_EQ(jobs[0].sop_instance_uid, sopUid(1, 1));
  EXPECT_EQ(jobs[2].sop_instance_uid, sopUid(1, 3));
}

TEST_F(RedisForwardQueueTest, AcknowledgeAfterReclaimStopsTheJobGoingTwice) {
  enqueue(1, {kArchive});
  auto jobs = claim(kArchive, 1);
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_TRUE(queue_->reclaim(kArchive, kWorker).ok());
  auto outcome = queue_->acknowledge(jobs[0], kWorker);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->instance_done);
  EXPECT_EQ(depth(kArchive).ready, 0);
  EXPECT_TRUE(claim(kArchive, 1).empty());
}

TEST_F(RedisForwardQueueTest, BlockingClaimWakesWhenAnotherConnectionEnqueues) {
  std::thread producer([this] {
    std::this_thread::sleep_for(200ms);
    RedisStateStore other(clientOptions(), kPrefix);
    EXPECT_TRUE(other
                    .recordInstances({makeRecord(1, 1, {kArchive}, {kArchive}),
                                      makeRecord(1, 2, {kArchive}, {kArchive})})
                    .ok());
  });
  const auto started = std::chrono::steady_clock::now();
  auto jobs = queue_->claim(kArchive, kWorker, 10, 5000ms);
  const auto waited = std::chrono::steady_clock::now() - started;
  producer.join();
  ASSERT_TRUE(jobs.ok()) << jobs.error().describe();
  ASSERT_FALSE(jobs->empty());
  EXPECT_EQ(jobs->front().sop_instance_uid, sopUid(1, 1));
  EXPECT_EQ(jobs->front().spool_path, makeRecord(1, 1, {}).instance.spool_path);
  EXPECT_LT(waited, 2000ms);
  EXPECT_EQ(depth(kArchive).in_flight, static_cast<long long>(jobs->size()));
}

TEST_F(RedisForwardQueueTest, BlockingClaimReturnsNothingAfterTheWait) {
  const auto started = std::chrono::steady_clock::now();
  auto jobs = queue_->claim(kArchive, kWorker, 10, 100ms);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(jobs.ok()) << jobs.error().describe();
  EXPECT_TRUE(jobs->empty());
  EXPECT_GE(waited, 90ms);
}

// How many times Redis ran `command` (lower case, as INFO names it) since it started.
long long timesRun(RedisClient& client, const std::string& command) {
  auto info = client.command({"INFO", "commandstats"});
  EXPECT_TRUE(info.ok());
  if (!info.ok()) return -1;
  const std::string key = "cmdstat_" + command + ":calls=";
  const std::size_t at = info.value().str.find(key);
  return at == std::string::npos ? 0 : std::stoll(info.value().str.substr(at + key.size()));
}

// Streaming keeps the ready list empty or a job deep: after a claim that found fewer jobs
// than asked for, the next claim waits in BLMOVE at once and runs the claim script only for
// the job that came, instead of running it first to find nothing (one script less per job).
TEST_F(RedisForwardQueueTest, AfterAShortClaimTheNextWaitsFirstAndRunsOneScriptPerJob) {
  enqueue(1, {kArchive});
  auto first = queue_->claim(kArchive, kWorker, 10, 5000ms);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  ASSERT_EQ(first->size(), 1u);  // short of 10

  RedisClient& client = queue_->clientForTest();
  const long long scripts_before = timesRun(client, "evalsha");
  const long long blmoves_before = timesRun(client, "blmove");
  std::thread producer([this] {
    std::this_thread::sleep_for(200ms);
    RedisStateStore other(clientOptions(), kPrefix);
    EXPECT_TRUE(other.recordInstances({makeRecord(1, 2, {kArchive}, {kArchive})}).ok());
  });
  auto next = queue_->claim(kArchive, kWorker, 10, 5000ms);
  producer.join();
  ASSERT_TRUE(next.ok()) << next.error().describe();
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ(next->front().sop_instance_uid, sopUid(1, 2));
  // The producer's own script (record) counts too: one for it, one for the claim.
  EXPECT_EQ(timesRun(client, "evalsha") - scripts_before, 2);
  EXPECT_EQ(timesRun(client, "blmove") - blmoves_before, 1);
  EXPECT_EQ(depth(kArchive).in_flight, 2);
}

// A full claim means more may be waiting: the next one runs the script first and takes a
// batch without blocking.
TEST_F(RedisForwardQueueTest, AfterAFullClaimTheNextTakesABatchWithoutBlmove) {
  enqueue(5, {kArchive});
  ASSERT_EQ(claim(kArchive, 2).size(), 2u);
  RedisClient& client = queue_->clientForTest();
  const long long blmoves_before = timesRun(client, "blmove");
  auto next = queue_->claim(kArchive, kWorker, 2, 5000ms);
  ASSERT_TRUE(next.ok()) << next.error().describe();
  EXPECT_EQ(next->size(), 2u);
  EXPECT_EQ(timesRun(client, "blmove") - blmoves_before, 0);
}

}  // namespace
}  // namespace sundial::adapters::redis
