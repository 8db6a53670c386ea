// Two WorkflowLoops (nodes alpha and bravo) on one real redis-server, each with its own
// events and tracker: a study whose instances arrive at both is completed once both have
// gone quiet, not when the first node's timer fires.

#include "adapters/redis/redis_state_store.h"
#include "engine/config/config_loader.h"
#include "engine/workflow/workflow_loop.h"
#include "tests/integration/redis/redis_test_fixture.h"
#include "tests/support/fakes.h"

#include <map>

namespace sundial::adapters::redis {
namespace {

std::string configFor(const std::string& node) {
  return "node: {name: " + node + R"(, data_dir: d}
tracker: {quiet_period_ms: 1000}
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
sites:
  - name: DEMO
    callers: [{ae_title: MODALITY, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE]
)";
}

class SplitStudyCompletionTest : public RedisTest {
 protected:
  struct Node {
    std::shared_ptr<const config::Config> config;
    std::unique_ptr<RedisStateStore> store;
    sundial::testing::FakeEventSubscriber events;
    sundial::testing::FakeSpool spool;
    engine::Metrics metrics;
    std::atomic<bool> accepting{true};
    std::unique_ptr<engine::WorkflowLoop> loop;
  };

  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* name : {"alpha", "bravo"}) {
      auto& node = nodes_[name];
      node = std::make_unique<Node>();
      node->config = config::loadConfigText(configFor(name), "t.yaml", "/tmp").config;
      ASSERT_TRUE(node->config);
      node->store = std::make_unique<RedisStateStore>(clientOptions(), kPrefix, name);
      node->loop = std::make_unique<engine::WorkflowLoop>(node->config, *node->store, node->events,
                                                          node->spool, clock_, node->metrics,
                                                          node->accepting);
    }
  }

  void receive(const std::string& node, const std::string& sop) {
    auto instance = sundial::testing::makeInstance("DEMO", studyUid(1), sop);
    instance.spool_path = "/" + node + instance.spool_path;
    instance.received_at = clock_.utcNow();
    nodes_[node]->events.queued.push_back(InstanceSpooled{instance});
  }

  void runBoth() {
    for (auto& [name, node] : nodes_) node->loop->runOnce(0ms);
  }

  std::string state() {
    auto reply = RedisClient(clientOptions()).command({"HGET", KeySchema(kPrefix).study(studyUid(1)), "state"});
    EXPECT_TRUE(reply.ok());
    return reply.ok() ? reply.value().str : "";
  }

  ManualClock clock_;
  std::map<std::string, std::unique_ptr<Node>> nodes_;
};

TEST_F(SplitStudyCompletionTest, CompletesOnceTheStudyIsQuietAtBothNodes) {
  receive("alpha", sopUid(1, 1));
  runBoth();
  clock_.now_ms += 800;
  receive("bravo", sopUid(1, 2));
  runBoth();
  clock_.now_ms += 200;  // alpha's timer: 1 s after its instance, 200 ms after bravo's
  runBoth();
  EXPECT_EQ(state(), "receiving");
  clock_.now_ms += 799;
  runBoth();
  EXPECT_EQ(state(), "receiving");
  clock_.now_ms += 1;  // 1 s after bravo's instance
  runBoth();
  EXPECT_EQ(state(), "complete");
  auto studies = nodes_["alpha"]->store->listStudies(1);
  ASSERT_TRUE(studies.ok());
  ASSERT_EQ(studies->size(), 1u);
  EXPECT_EQ(studies->front().instances, 2);
  EXPECT_EQ(toEpochMs(studies->front().completed_at), kBaseMs + 1800);
}

}  // namespace
}  // namespace sundial::adapters::redis
