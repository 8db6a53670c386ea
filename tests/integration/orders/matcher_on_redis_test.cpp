// The matcher on the real stores: study facts recorded by RedisStateStore (as the workflow
// loop records them), orders and links in RedisOrderStore, one redis-server.

#include <gtest/gtest.h>

#include "adapters/redis/redis_order_store.h"
#include "adapters/redis/redis_state_store.h"
#include "engine/orders/order_matcher.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::engine {
namespace {

using adapters::redis::kBaseMs;
using adapters::redis::makeRecord;
using adapters::redis::ManualClock;
using adapters::redis::studyUid;
using namespace std::chrono_literals;

class Listener final : public OrderListener {
 public:
  std::vector<OrderLink> linked, cancelled;
  std::vector<PatientMerge> merges;
  Result<void> orderLinked(const OrderLink& l) override {
    linked.push_back(l);
    return okResult();
  }
  Result<void> orderCancelled(const OrderLink& l) override {
    cancelled.push_back(l);
    return okResult();
  }
  Result<void> patientMerged(const PatientMerge& m) override {
    merges.push_back(m);
    return okResult();
  }
};

class MatcherOnRedisTest : public adapters::redis::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    studies_ = std::make_unique<adapters::redis::RedisStateStore>(clientOptions(), "sundial");
    orders_ = std::make_unique<adapters::redis::RedisOrderStore>(clientOptions(), "sundial");
    config::MatchingConfig config;
    config.time_window = 60min;
    config.unmatched_after = 2min;
    matcher_ = std::make_unique<OrderMatcher>(*orders_, *studies_, clock_, config);
    matcher_->addListener(listener_);
  }

  // A complete one-instance study as the receiver and the workflow loop record it.
  void receiveStudy(int n, const std::string& accession, const std::string& patient) {
    auto record = makeRecord(n, 1, {"ARCH"}, {}, kBaseMs);
    record.instance.study.accession_number = accession;
    record.instance.study.patient_id = patient;
    record.instance.study.study_date = "20231114";  // kBaseMs is 2023-11-14T22:13:20Z
    record.instance.study.study_time = "221000";
    ASSERT_TRUE(studies_->recordInstances({record}).ok());
    ASSERT_TRUE(studies_->completeStudy(studyUid(n), fromEpochMs(kBaseMs), {"ARCH"}).ok());
  }

  Order order(const std::string& accession, const std::string& patient) {
    Order o;
    o.site = "north";
    o.accession_number = accession;
    o.patient_id = patient;
    o.modality = "CT";
    o.ordered_at = fromEpochMs(kBaseMs - 600'000);
    o.received_at = clock_.utcNow();
    return o;
  }

  ManualClock clock_;
  Listener listener_;
  std::unique_ptr<adapters::redis::RedisStateStore> studies_;
  std::unique_ptr<adapters::redis::RedisOrderStore> orders_;
  std::unique_ptr<OrderMatcher> matcher_;
};

TEST_F(MatcherOnRedisTest, StudyFirstThenOrderThenCancel) {
  receiveStudy(1, "ACC1", "P1");
  auto none = matcher_->orderForStudy(studyUid(1));
  ASSERT_TRUE(none.ok()) << none.error().describe();
  EXPECT_FALSE(none.value());
  ASSERT_TRUE(matcher_->applyOrder(order("ACC1", "P1")).ok());
  ASSERT_EQ(listener_.linked.size(), 1u);
  EXPECT_EQ(listener_.linked[0].study_uid, studyUid(1));
  auto link = matcher_->orderForStudy(studyUid(1));
  ASSERT_TRUE(link.ok() && link.value());
  EXPECT_EQ(link.value()->order_key, "north|ACC1");

  Order cancel = order("ACC1", "P1");
  cancel.status = OrderStatus::Cancelled;
  ASSERT_TRUE(matcher_->applyOrder(cancel).ok());
  ASSERT_EQ(listener_.cancelled.size(), 1u);
  EXPECT_TRUE(matcher_->orderForStudy(studyUid(1)).value()->cancelled);
}

TEST_F(MatcherOnRedisTest, OrderFirstByPatientWithinTheWindow) {
  ASSERT_TRUE(matcher_->applyOrder(order("ACC9", "P1")).ok());
  receiveStudy(2, "", "P1");
  auto link = matcher_->orderForStudy(studyUid(2));
  ASSERT_TRUE(link.ok()) << link.error().describe();
  ASSERT_TRUE(link.value());
  EXPECT_EQ(link.value()->reason, LinkReason::PatientModalityTime);
}

TEST_F(MatcherOnRedisTest, UnmatchedThenExceptionThenManualLink) {
  receiveStudy(3, "", "P7");
  EXPECT_FALSE(matcher_->orderForStudy(studyUid(3)).value());
  clock_.now_ms = kBaseMs + 120'000;
  ASSERT_EQ(matcher_->sweepUnmatched(10).value(), 1);
  ASSERT_EQ(orders_->exceptions(10)->size(), 1u);
  ASSERT_TRUE(matcher_->applyOrder(order("ACC3", "OTHER")).ok());
  auto link = matcher_->linkByAccession(studyUid(3), "ACC3");
  ASSERT_TRUE(link.ok()) << link.error().describe();
  EXPECT_TRUE(orders_->exceptions(10)->empty());
  EXPECT_EQ(listener_.linked.back().reason, LinkReason::Manual);
}

TEST_F(MatcherOnRedisTest, MergeRelinks) {
  ASSERT_TRUE(matcher_->applyOrder(order("", "NEW")).ok());
  receiveStudy(4, "", "OLD");
  EXPECT_FALSE(matcher_->orderForStudy(studyUid(4)).value());
  auto merge = matcher_->applyMerge({"north", "NEW", "OLD", clock_.utcNow()});
  ASSERT_TRUE(merge.ok()) << merge.error().describe();
  EXPECT_EQ(merge->study_uids, std::vector<std::string>{studyUid(4)});
  auto link = matcher_->orderForStudy(studyUid(4));
  ASSERT_TRUE(link.ok() && link.value());
  EXPECT_EQ(link.value()->reason, LinkReason::Merge);
}

}  // namespace
}  // namespace sundial::engine
