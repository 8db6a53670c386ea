#include "engine/workflow/workflow_loop.h"

#include <gtest/gtest.h>

#include "engine/config/config_loader.h"
#include "tests/support/fakes.h"

namespace sundial::engine {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;
using testing::FakeEventSubscriber;
using testing::FakeSpool;
using testing::FakeStateStore;
using testing::makeInstance;

const char* kConfig = R"(
node: {data_dir: d}
tracker: {quiet_period_ms: 1000}
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
  - {name: READER1, ae_title: READER1, host: 127.0.0.1, port: 11114, mode: streaming}
sites:
  - name: DEMO
    callers: [{ae_title: MODALITY, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE, READER1]
)";

class WorkflowLoopTest : public ::testing::Test {
 protected:
  WorkflowLoopTest()
      : config_(config::loadConfigText(kConfig, "t.yaml", "/tmp").config),
        loop_(config_, store_, events_, spool_, clock_, metrics_, accepting_) {}

  void spool(const std::string& study, const std::string& sop) {
    events_.queued.push_back(InstanceSpooled{makeInstance("DEMO", study, sop)});
  }

  std::shared_ptr<const config::Config> config_;
  FakeStateStore store_;
  FakeEventSubscriber events_;
  FakeSpool spool_;
  FakeClock clock_;
  Metrics metrics_;
  std::atomic<bool> accepting_{true};
  WorkflowLoop loop_;
};

TEST_F(WorkflowLoopTest, RecordsInstancesWithStreamingDestinationsEnqueuedAtOnce) {
  spool("1.2.3", "1.2.3.1");
  loop_.runOnce(milliseconds(0));
  ASSERT_EQ(store_.recorded.size(), 1u);
  EXPECT_EQ(store_.recorded[0].destinations, (std::vector<std::string>{"ARCHIVE", "READER1"}));
  EXPECT_EQ(store_.recorded[0].enqueue_now, (std::vector<std::string>{"READER1"}));
  EXPECT_TRUE(store_.completed.empty());
}

TEST_F(WorkflowLoopTest, CompletesTheStudyAfterTheQuietPeriodWithOnCompletionDestinations) {
  spool("1.2.3", "1.2.3.1");
  loop_.runOnce(milliseconds(0));
  clock_.advance(milliseconds(600));
  spool("1.2.3", "1.2.3.2");
  loop_.runOnce(milliseconds(0));
  clock_.advance(milliseconds(999));
  loop_.runOnce(milliseconds(0));
  EXPECT_TRUE(store_.completed.empty());
  clock_.advance(milliseconds(1));
  loop_.runOnce(milliseconds(0));
  ASSERT_EQ(store_.completed.size(), 1u);
  EXPECT_EQ(store_.completed[0].first, "1.2.3");
  EXPECT_EQ(store_.completed[0].second, (std::vector<std::string>{"ARCHIVE"}));
}

TEST_F(WorkflowLoopTest, StoreDownStopsAcceptingKeepsInstancesAndResumes) {
  store_.available = false;
  spool("1.2.3", "1.2.3.1");
  loop_.runOnce(milliseconds(0));
  EXPECT_FALSE(accepting_.load());
  EXPECT_EQ(loop_.pendingRecordsForTest(), 1u);
  clock_.advance(milliseconds(5000));
  loop_.runOnce(milliseconds(0));
  EXPECT_TRUE(store_.completed.empty()) << "a study must not complete before it is recorded";
  store_.available = true;
  clock_.advance(milliseconds(1000));
  loop_.runOnce(milliseconds(0));
  EXPECT_TRUE(accepting_.load());
  EXPECT_EQ(store_.recorded.size(), 1u);
  EXPECT_EQ(store_.completed.size(), 1u);
}

TEST_F(WorkflowLoopTest, RecoveryRecordsSpooledFilesTheStoreDoesNotKnow) {
  spool_.committed = {"/spool/1.2.3/1.2.3.1.dcm", "/spool/1.2.3/1.2.3.2.dcm"};
  store_.known.insert("1.2.3.1");
  int reads = 0;
  auto reader = [&](const std::filesystem::path& path) -> Result<SpooledInstance> {
    ++reads;
    return makeInstance("DEMO", "1.2.3", path.stem().string());
  };
  ASSERT_TRUE(loop_.recover(reader).ok());
  EXPECT_EQ(reads, 1);
  ASSERT_EQ(store_.recorded.size(), 1u);
  EXPECT_EQ(store_.recorded[0].instance.sop_instance_uid, "1.2.3.2");
  clock_.advance(milliseconds(1000));
  loop_.runOnce(milliseconds(0));
  EXPECT_EQ(store_.completed.size(), 1u);
}

TEST_F(WorkflowLoopTest, RecoveryRemovesSpoolFilesOfInstancesAlreadyForwardedEverywhere) {
  spool_.committed = {"/spool/1.2.3/1.2.3.1.dcm", "/spool/1.2.3/1.2.3.2.dcm"};
  store_.known = {"1.2.3.1", "1.2.3.2"};
  store_.forwarded = {"1.2.3.1"};
  ASSERT_TRUE(loop_.recover(nullptr).ok());
  ASSERT_EQ(spool_.removed.size(), 1u);
  EXPECT_EQ(spool_.removed[0], "/spool/1.2.3/1.2.3.1.dcm");
  EXPECT_TRUE(store_.recorded.empty());
}

TEST_F(WorkflowLoopTest, RecoveryRearmsOpenStudies) {
  store_.open.push_back({"9.9", "DEMO", "CT", {}, {}});
  ASSERT_TRUE(loop_.recover(nullptr).ok());
  clock_.advance(milliseconds(999));
  loop_.runOnce(milliseconds(0));
  EXPECT_TRUE(store_.completed.empty());
  clock_.advance(milliseconds(1));
  loop_.runOnce(milliseconds(0));
  ASSERT_EQ(store_.completed.size(), 1u);
  EXPECT_EQ(store_.completed[0].first, "9.9");
}

TEST_F(WorkflowLoopTest, SweepsFinishedStudiesOlderThanTheRetentionEveryMinute) {
  loop_.runOnce(milliseconds(0));
  ASSERT_EQ(store_.forget_calls.size(), 1u);
  EXPECT_EQ(store_.forget_calls[0], clock_.utcNow() - std::chrono::hours(168));
  clock_.advance(milliseconds(59'000));
  loop_.runOnce(milliseconds(0));
  EXPECT_EQ(store_.forget_calls.size(), 1u);
  clock_.advance(milliseconds(1'000));
  loop_.runOnce(milliseconds(0));
  EXPECT_EQ(store_.forget_calls.size(), 2u);
}

TEST_F(WorkflowLoopTest, DuplicateOfAForwardedInstanceHasItsSpoolFileRemoved) {
  spool("1.2.3", "1.2.3.1");
  loop_.runOnce(milliseconds(0));
  store_.forwarded.insert("1.2.3.1");
  spool("1.2.3", "1.2.3.1");
  loop_.runOnce(milliseconds(0));
  EXPECT_EQ(store_.recorded.size(), 1u) << "a repeat is never recorded (or forwarded) twice";
  ASSERT_EQ(spool_.removed.size(), 1u);
  EXPECT_EQ(spool_.removed[0], "/spool/1.2.3/1.2.3.1.dcm");
}

TEST_F(WorkflowLoopTest, DuplicateOfAnInstanceStillQueuedKeepsItsSpoolFile) {
  spool("1.2.3", "1.2.3.1");
  spool("1.2.3", "1.2.3.1");
  loop_.runOnce(milliseconds(0));
  EXPECT_EQ(store_.recorded.size(), 1u);
  EXPECT_TRUE(spool_.removed.empty());
}

}  // namespace
}  // namespace sundial::engine
