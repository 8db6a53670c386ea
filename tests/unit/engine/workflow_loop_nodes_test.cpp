// WorkflowLoop on one of several nodes sharing one Redis (node.name set): it watches its own
// studies, completes the ones a node that went away left open, and removes its files that
// another node's dispatch released.

#include <gtest/gtest.h>

#include "engine/config/config_loader.h"
#include "engine/workflow/workflow_loop.h"
#include "tests/support/fakes.h"

namespace sundial::engine {
namespace {

using std::chrono::milliseconds;
using testing::FakeClock;
using testing::FakeEventSubscriber;
using testing::FakeSpool;
using testing::FakeStateStore;

const char* kConfig = R"(
node: {name: alpha, data_dir: d}
tracker: {quiet_period_ms: 1000}
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
sites:
  - name: DEMO
    callers: [{ae_title: MODALITY, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE]
)";

class WorkflowLoopNodesTest : public ::testing::Test {
 protected:
  WorkflowLoopNodesTest()
      : config_(config::loadConfigText(kConfig, "t.yaml", "/tmp").config),
        loop_(config_, store_, events_, spool_, clock_, metrics_, accepting_) {}

  OpenStudy open(const std::string& uid, const std::string& node, UtcTime last) {
    OpenStudy study;
    study.study_uid = uid;
    study.site = "DEMO";
    study.modality = "CT";
    study.last_received_at = last;
    study.node = node;
    return study;
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

TEST_F(WorkflowLoopNodesTest, RecoveryRearmsOnlyTheStudiesThisNodeWasReceiving) {
  store_.open = {open("1.1", "alpha", clock_.utcNow()), open("2.2", "bravo", clock_.utcNow()),
                 open("3.3", "", clock_.utcNow())};
  ASSERT_TRUE(loop_.recover(nullptr).ok());
  store_.open.clear();  // completed by their nodes meanwhile: nothing for the sweep
  clock_.advance(milliseconds(1000));
  loop_.runOnce(milliseconds(0));
  ASSERT_EQ(store_.completed.size(), 2u);
  EXPECT_EQ(store_.completed[0].first, "1.1");
  EXPECT_EQ(store_.completed[1].first, "3.3") << "recorded before nodes had names: ours";
}

TEST_F(WorkflowLoopNodesTest, AnotherNodesStudyIsCompletedOnlyAfterItsQuietPeriodAndAGrace) {
  const UtcTime last = clock_.utcNow();
  store_.open = {open("2.2", "bravo", last), open("1.1", "alpha", last)};
  clock_.advance(milliseconds(10'999));  // quiet period 1 s + grace 10 s, less 1 ms
  loop_.runOnce(milliseconds(0));
  EXPECT_TRUE(store_.completed.empty()) << "bravo may still be receiving it";
  clock_.advance(milliseconds(5000));  // past the deadline and the sweep interval (5 s)
  loop_.runOnce(milliseconds(0));
  ASSERT_EQ(store_.completed.size(), 1u) << "never our own study: our timer has it";
  EXPECT_EQ(store_.completed[0].first, "2.2");
  EXPECT_EQ(store_.completed[0].second, (std::vector<std::string>{"ARCHIVE"}));
}

TEST_F(WorkflowLoopNodesTest, FilesAnotherNodeReleasedAreRemovedFromThisSpool) {
  store_.released = {"/d/spool/1.1/a.dcm", "/d/spool/1.1/b.dcm"};
  loop_.runOnce(milliseconds(0));
  ASSERT_EQ(spool_.removed.size(), 2u);
  EXPECT_EQ(spool_.removed[0], "/d/spool/1.1/a.dcm");
  EXPECT_TRUE(store_.released.empty());
}

}  // namespace
}  // namespace sundial::engine
