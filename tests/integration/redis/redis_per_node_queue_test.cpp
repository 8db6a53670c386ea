// Several nodes on one Redis: a forward job belongs to the node whose spool holds its file.
// Contract tests of RedisStateStore and RedisForwardQueue built with node names, against a
// real redis-server: claims, retries, completion and routing keep each job with its node;
// files released by another node's dispatch reach their node; depth counts every node.

#include <map>
#include <thread>

#include "adapters/redis/redis_cluster_lease.h"
#include "adapters/redis/redis_forward_queue.h"
#include "adapters/redis/redis_state_store.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

constexpr char kArchive[] = "ARCH";
constexpr char kReader[] = "WS";

class RedisPerNodeQueueTest : public RedisTest {
 protected:
  struct Node {
    std::unique_ptr<RedisStateStore> store;
    std::unique_ptr<RedisForwardQueue> queue;
  };

  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* name : {"alpha", "bravo"}) {
      nodes_[name] = {std::make_unique<RedisStateStore>(clientOptions(), kPrefix, name),
                      std::make_unique<RedisForwardQueue>(clientOptions(), kPrefix, clock_, name)};
    }
  }

  // Instance `n` of `study`, received (and spooled) by `node`.
  void receive(const std::string& node, int study, int n, std::vector<std::string> destinations,
               std::vector<std::string> enqueue_now = {}, bool hold = false) {
    auto record = makeRecord(study, n, std::move(destinations), std::move(enqueue_now));
    record.instance.spool_path = "/" + node + record.instance.spool_path;
    record.hold_for_dispatch = hold;
    auto recorded = nodes_[node].store->recordInstances({record});
    ASSERT_TRUE(recorded.ok()) << recorded.error().describe();
  }

  std::vector<std::string> claim(const std::string& node, const std::string& destination) {
    auto jobs = nodes_[node].queue->claim(destination, node + "-w", 100, 0ms);
    EXPECT_TRUE(jobs.ok()) << jobs.error().describe();
    std::vector<std::string> sops;
    if (jobs.ok()) {
      for (const auto& job : jobs.value()) sops.push_back(job.sop_instance_uid);
    }
    return sops;
  }

  ManualClock clock_;
  std::map<std::string, Node> nodes_;
};

TEST_F(RedisPerNodeQueueTest, StreamingJobsAreClaimedOnlyByTheNodeHoldingTheFile) {
  receive("alpha", 1, 1, {kArchive}, {kArchive});
  receive("bravo", 1, 2, {kArchive}, {kArchive});
  EXPECT_EQ(claim("bravo", kArchive), std::vector<std::string>{sopUid(1, 2)});
  EXPECT_EQ(claim("alpha", kArchive), std::vector<std::string>{sopUid(1, 1)});
  EXPECT_TRUE(claim("bravo", kArchive).empty());
}

TEST_F(RedisPerNodeQueueTest, CompletionAndRoutingEnqueueEachInstanceForItsOwnNode) {
  receive("alpha", 1, 1, {kArchive});
  receive("bravo", 1, 2, {kArchive});
  // bravo's timer completes the split study; alpha's dispatcher routes it to a reader.
  ASSERT_TRUE(nodes_["bravo"].store->completeStudy(studyUid(1), clock_.utcNow(), {kArchive}).ok());
  ASSERT_TRUE(nodes_["alpha"].store->routeStudy(studyUid(1), {kReader}).ok());
  EXPECT_EQ(claim("alpha", kArchive), std::vector<std::string>{sopUid(1, 1)});
  EXPECT_EQ(claim("alpha", kReader), std::vector<std::string>{sopUid(1, 1)});
  EXPECT_EQ(claim("bravo", kArchive), std::vector<std::string>{sopUid(1, 2)});
  EXPECT_EQ(claim("bravo", kReader), std::vector<std::string>{sopUid(1, 2)});
}

TEST_F(RedisPerNodeQueueTest, ARetryComesBackToItsOwnNodeWhoeverPromotesIt) {
  receive("bravo", 1, 1, {kArchive}, {kArchive});
  auto jobs = nodes_["bravo"].queue->claim(kArchive, "bravo-w", 1, 0ms);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  ASSERT_TRUE(nodes_["bravo"].queue
                  ->retryLater(jobs->front(), "bravo-w", clock_.utcNow(), "destination down")
                  .ok());
  auto promoted = nodes_["alpha"].queue->promoteDueRetries(kArchive, clock_.utcNow());
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(promoted.value(), 1);
  EXPECT_TRUE(claim("alpha", kArchive).empty());
  EXPECT_EQ(claim("bravo", kArchive), std::vector<std::string>{sopUid(1, 1)});
}

TEST_F(RedisPerNodeQueueTest, DepthCountsTheReadyJobsOfEveryNode) {
  receive("alpha", 1, 1, {kArchive}, {kArchive});
  receive("bravo", 1, 2, {kArchive}, {kArchive});
  receive("bravo", 1, 3, {kArchive}, {kArchive});
  // Each node's workers have claimed once (that is how a node becomes known to depth).
  EXPECT_EQ(claim("alpha", kArchive).size(), 1u);
  receive("alpha", 1, 4, {kArchive}, {kArchive});
  auto depth = RedisForwardQueue(clientOptions(), kPrefix, clock_).depth(kArchive);
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->in_flight, 1);
  EXPECT_EQ(depth->ready, 1) << "bravo has not claimed yet: its list is not known";
  EXPECT_EQ(claim("bravo", kArchive).size(), 2u);
  receive("bravo", 1, 5, {kArchive}, {kArchive});
  depth = RedisForwardQueue(clientOptions(), kPrefix, clock_).depth(kArchive);
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth->ready, 2);
  EXPECT_EQ(depth->in_flight, 3);
}

TEST_F(RedisPerNodeQueueTest, AFileAnotherNodeReleasesGoesToItsHoldersReleaseList) {
  // Held for dispatch and already at the archive: routing releases the files.
  receive("alpha", 1, 1, {kArchive}, {kArchive}, /*hold=*/true);
  receive("bravo", 1, 2, {kArchive}, {kArchive}, /*hold=*/true);
  for (const char* node : {"alpha", "bravo"}) {
    auto jobs = nodes_[node].queue->claim(kArchive, std::string(node) + "-w", 1, 0ms);
    ASSERT_TRUE(jobs.ok());
    ASSERT_EQ(jobs->size(), 1u);
    ASSERT_TRUE(nodes_[node].queue->acknowledge(jobs->front(), std::string(node) + "-w").ok());
  }
  auto routed = nodes_["alpha"].store->routeStudy(studyUid(1), {});
  ASSERT_TRUE(routed.ok());
  const std::string alpha_file = "/alpha/spool/" + studyUid(1) + "/" + sopUid(1, 1) + ".dcm";
  const std::string bravo_file = "/bravo/spool/" + studyUid(1) + "/" + sopUid(1, 2) + ".dcm";
  EXPECT_EQ(routed->unneeded_files, std::vector<std::string>{alpha_file})
      << "alpha removes only its own files";
  auto alpha_released = nodes_["alpha"].store->takeReleasedFiles(10);
  ASSERT_TRUE(alpha_released.ok());
  EXPECT_TRUE(alpha_released->empty());
  auto bravo_released = nodes_["bravo"].store->takeReleasedFiles(10);
  ASSERT_TRUE(bravo_released.ok());
  EXPECT_EQ(bravo_released.value(), std::vector<std::string>{bravo_file});
  bravo_released = nodes_["bravo"].store->takeReleasedFiles(10);
  ASSERT_TRUE(bravo_released.ok());
  EXPECT_TRUE(bravo_released->empty()) << "taken once";
}

TEST_F(RedisPerNodeQueueTest, TheSameInstanceAtASecondNodeIsADuplicateWhoseFileIsNotNeeded) {
  receive("alpha", 1, 1, {kArchive}, {kArchive});
  auto record = makeRecord(1, 1, {kArchive}, {kArchive});  // same path, other node
  auto again = nodes_["bravo"].store->recordInstances({record});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->front(), engine::RecordOutcome::DuplicateFileUnneeded);
  EXPECT_TRUE(claim("bravo", kArchive).empty());
  EXPECT_EQ(claim("alpha", kArchive).size(), 1u);
}

TEST_F(RedisPerNodeQueueTest, JobsQueuedBeforeNodesHadListsAreTakenWhenTheNodesListIsEmpty) {
  // Recorded by a store without a node (a build before per-node lists).
  ASSERT_TRUE(RedisStateStore(clientOptions(), kPrefix)
                  .recordInstances({makeRecord(1, 1, {kArchive}, {kArchive})})
                  .ok());
  receive("alpha", 1, 2, {kArchive}, {kArchive});
  auto jobs = nodes_["alpha"].queue->claim(kArchive, "alpha-w", 1, 0ms);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().sop_instance_uid, sopUid(1, 2)) << "its own list first";
  EXPECT_EQ(claim("alpha", kArchive), std::vector<std::string>{sopUid(1, 1)});
}

// After a short claim the next one waits in BLMOVE on the node's own list; when that stays
// empty, the claim script still takes what was queued before nodes had lists.
TEST_F(RedisPerNodeQueueTest, AWaitingClaimStillTakesJobsQueuedBeforeNodesHadLists) {
  EXPECT_TRUE(claim("alpha", kArchive).empty());  // short: the next claim starts with BLMOVE
  ASSERT_TRUE(RedisStateStore(clientOptions(), kPrefix)
                  .recordInstances({makeRecord(1, 1, {kArchive}, {kArchive})})
                  .ok());
  auto jobs = nodes_["alpha"].queue->claim(kArchive, "alpha-w", 10, 100ms);
  ASSERT_TRUE(jobs.ok()) << jobs.error().describe();
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().sop_instance_uid, sopUid(1, 1));
}

TEST_F(RedisPerNodeQueueTest, AStudyIsCompletedOnlyWhenQuietAtEveryNode) {
  auto early = makeRecord(1, 1, {kArchive}, {}, kBaseMs);
  ASSERT_TRUE(nodes_["alpha"].store->recordInstances({early}).ok());
  auto late = makeRecord(1, 2, {kArchive}, {}, kBaseMs + 800);
  ASSERT_TRUE(nodes_["bravo"].store->recordInstances({late}).ok());
  // alpha's timer (1 s after its own instance) fires while bravo's instance is 200 ms old.
  auto first = nodes_["alpha"].store->completeStudyIfQuiet(studyUid(1), fromEpochMs(kBaseMs + 1000),
                                                           1000ms, {kArchive});
  ASSERT_TRUE(first.ok()) << first.error().describe();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(toEpochMs(**first), kBaseMs + 800);
  auto open = nodes_["alpha"].store->openStudies();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->size(), 1u) << "still receiving";
  auto second = nodes_["bravo"].store->completeStudyIfQuiet(studyUid(1), fromEpochMs(kBaseMs + 1800),
                                                            1000ms, {kArchive});
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  EXPECT_EQ(claim("alpha", kArchive), std::vector<std::string>{sopUid(1, 1)});
  EXPECT_EQ(claim("bravo", kArchive), std::vector<std::string>{sopUid(1, 2)});
  // alpha's re-armed timer comes later: the study is complete, nothing changes.
  auto third = nodes_["alpha"].store->completeStudyIfQuiet(studyUid(1), fromEpochMs(kBaseMs + 1900),
                                                           1000ms, {kArchive});
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->has_value());
  auto studies = nodes_["alpha"].store->listStudies(1);
  ASSERT_TRUE(studies.ok());
  EXPECT_EQ(toEpochMs(studies->front().completed_at), kBaseMs + 1800);
}

TEST_F(RedisPerNodeQueueTest, OpenStudiesNameTheNodeThatReceivedTheLatestInstance) {
  receive("alpha", 1, 1, {kArchive});
  receive("bravo", 1, 2, {kArchive});
  auto open = nodes_["alpha"].store->openStudies();
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().node, "bravo");
}

TEST_F(RedisPerNodeQueueTest, AClusterLeaseIsHeldByOneNodeUntilItRunsOut) {
  RedisClusterLease alpha(clientOptions(), kPrefix);
  RedisClusterLease bravo(clientOptions(), kPrefix);
  auto first = alpha.tryTake("sweep", "alpha", 300ms);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first.value());
  auto second = bravo.tryTake("sweep", "bravo", 300ms);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second.value());
  auto again = alpha.tryTake("sweep", "alpha", 300ms);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value()) << "once per period, even for the holder";
  // Redis expires the key on its own clock: poll for it, with a deadline.
  bool taken = false;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!taken && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    auto later = bravo.tryTake("sweep", "bravo", 300ms);
    ASSERT_TRUE(later.ok());
    taken = later.value();
  }
  EXPECT_TRUE(taken) << "the lease ran out: another node takes it";
}

}  // namespace
}  // namespace sundial::adapters::redis
