// The OrderStore contract, run against RedisOrderStore on a real redis-server and against
// the FakeOrderStore the unit tests use, so the fake cannot drift from the real thing.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "adapters/redis/redis_order_store.h"
#include "tests/integration/redis/redis_test_fixture.h"
#include "tests/support/fake_order_store.h"

namespace sundial::engine {
namespace {

using adapters::redis::kBaseMs;

class OrderStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "fake") {
      store_ = std::make_unique<testing::FakeOrderStore>();
      return;
    }
    if (!testing::RedisServerProcess::available()) GTEST_SKIP() << "redis-server is not on PATH";
    server_ = std::make_unique<testing::RedisServerProcess>(testing::RedisServerOptions{});
    ASSERT_TRUE(server_->start()) << server_->error();
    store_ = std::make_unique<adapters::redis::RedisOrderStore>(
        adapters::redis::RedisClientOptions{server_->address(), std::chrono::milliseconds(1000),
                                            std::chrono::milliseconds(2000)},
        "sundial");
  }

  static Order order(const std::string& accession, const std::string& patient,
                     long long received_ms = kBaseMs) {
    Order o;
    o.site = "north";
    o.accession_number = accession;
    o.placer_order_number = "PL-" + accession;
    o.patient_id = patient;
    o.patient_name = "Doe^Jane";
    o.modality = "CT";
    o.priority = OrderPriority::Urgent;
    o.status = OrderStatus::InProgress;
    o.reason_for_exam = "Chest pain";
    o.ordered_at = fromEpochMs(received_ms - 1000);
    o.received_at = fromEpochMs(received_ms);
    return o;
  }

  static WaitingStudy study(const std::string& uid, const std::string& accession,
                            const std::string& patient) {
    return {uid, "north", accession, patient, "CT", fromEpochMs(kBaseMs)};
  }

  static std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  }

  std::unique_ptr<testing::RedisServerProcess> server_;
  std::unique_ptr<OrderStore> store_;
};

TEST_P(OrderStoreContract, OrdersRoundTripAndAreIndexed) {
  ASSERT_TRUE(store_->putOrder("north|A1", order("A1", "P1")).ok());
  auto back = store_->order("north|A1");
  ASSERT_TRUE(back.ok()) << back.error().describe();
  ASSERT_TRUE(back.value());
  const Order& o = *back.value();
  EXPECT_EQ(o.accession_number, "A1");
  EXPECT_EQ(o.placer_order_number, "PL-A1");
  EXPECT_EQ(o.patient_name, "Doe^Jane");
  EXPECT_EQ(o.priority, OrderPriority::Urgent);
  EXPECT_EQ(o.status, OrderStatus::InProgress);
  EXPECT_EQ(o.reason_for_exam, "Chest pain");
  EXPECT_EQ(toEpochMs(o.ordered_at), kBaseMs - 1000);
  EXPECT_EQ(toEpochMs(o.received_at), kBaseMs);
  EXPECT_EQ(store_->ordersByAccession("north", "A1").value(), std::vector<std::string>{"north|A1"});
  EXPECT_EQ(store_->ordersByPatient("north", "P1").value(), std::vector<std::string>{"north|A1"});
  EXPECT_TRUE(store_->ordersByAccession("south", "A1")->empty());
  EXPECT_FALSE(store_->order("north|nope").value());
}

TEST_P(OrderStoreContract, AChangedPatientIdIsReindexed) {
  ASSERT_TRUE(store_->putOrder("north|A1", order("A1", "P1")).ok());
  ASSERT_TRUE(store_->putOrder("north|A1", order("A1", "P2")).ok());
  EXPECT_TRUE(store_->ordersByPatient("north", "P1")->empty());
  EXPECT_EQ(store_->ordersByPatient("north", "P2").value(), std::vector<std::string>{"north|A1"});
}

TEST_P(OrderStoreContract, RecentOrdersNewestFirst) {
  ASSERT_TRUE(store_->putOrder("north|A1", order("A1", "P1", kBaseMs)).ok());
  ASSERT_TRUE(store_->putOrder("north|A2", order("A2", "P1", kBaseMs + 5)).ok());
  EXPECT_EQ(store_->recentOrders(10).value(), (std::vector<std::string>{"north|A2", "north|A1"}));
  EXPECT_EQ(store_->recentOrders(1).value(), std::vector<std::string>{"north|A2"});
}

TEST_P(OrderStoreContract, WaitingStudiesAreFoundByAccessionOrPatientUntilLinked) {
  ASSERT_TRUE(store_->addWaiting(study("1.2.1", "A1", "P1"), fromEpochMs(kBaseMs + 100)).ok());
  ASSERT_TRUE(store_->addWaiting(study("1.2.2", "", "P1"), fromEpochMs(kBaseMs + 200)).ok());
  auto by_acc = store_->waitingFor("north", "A1", "");
  ASSERT_TRUE(by_acc.ok()) << by_acc.error().describe();
  ASSERT_EQ(by_acc->size(), 1u);
  EXPECT_EQ(by_acc->front().study_uid, "1.2.1");
  EXPECT_EQ(by_acc->front().modality, "CT");
  EXPECT_EQ(toEpochMs(by_acc->front().study_time), kBaseMs);
  EXPECT_EQ(store_->waitingFor("north", "A1", "P1")->size(), 2u);
  EXPECT_TRUE(store_->waitingFor("south", "A1", "P1")->empty());

  EXPECT_TRUE(store_->dueWaiting(fromEpochMs(kBaseMs + 99), 10)->empty());
  EXPECT_EQ(store_->dueWaiting(fromEpochMs(kBaseMs + 200), 10).value(),
            (std::vector<std::string>{"1.2.1", "1.2.2"}));

  ASSERT_TRUE(store_->link({"1.2.1", "north|A1", LinkReason::Accession, false,
                            fromEpochMs(kBaseMs + 50)})
                  .ok());
  EXPECT_EQ(store_->waitingFor("north", "A1", "P1")->size(), 1u);
  EXPECT_EQ(store_->dueWaiting(fromEpochMs(kBaseMs + 200), 10).value(),
            std::vector<std::string>{"1.2.2"});
  // Linked: adding it as waiting again changes nothing.
  ASSERT_TRUE(store_->addWaiting(study("1.2.1", "A1", "P1"), fromEpochMs(kBaseMs)).ok());
  EXPECT_EQ(store_->waitingFor("north", "A1", "")->size(), 0u);
}

TEST_P(OrderStoreContract, LinksRoundTripAndMoveBetweenOrders) {
  ASSERT_TRUE(store_->link({"1.2.1", "north|A1", LinkReason::PatientModalityTime, false,
                            fromEpochMs(kBaseMs)})
                  .ok());
  auto link = store_->linkOf("1.2.1");
  ASSERT_TRUE(link.ok() && link.value());
  EXPECT_EQ(link.value()->order_key, "north|A1");
  EXPECT_EQ(link.value()->reason, LinkReason::PatientModalityTime);
  EXPECT_FALSE(link.value()->cancelled);
  EXPECT_EQ(toEpochMs(link.value()->linked_at), kBaseMs);
  EXPECT_EQ(store_->studiesOf("north|A1").value(), std::vector<std::string>{"1.2.1"});

  ASSERT_TRUE(store_->link({"1.2.1", "north|A2", LinkReason::Manual, true, fromEpochMs(kBaseMs)})
                  .ok());
  EXPECT_TRUE(store_->studiesOf("north|A1")->empty());
  EXPECT_EQ(store_->studiesOf("north|A2").value(), std::vector<std::string>{"1.2.1"});
  EXPECT_TRUE(store_->linkOf("1.2.1").value()->cancelled);
  EXPECT_EQ(store_->linkOf("1.2.1").value()->reason, LinkReason::Manual);
  EXPECT_FALSE(store_->linkOf("1.2.9").value());
}

TEST_P(OrderStoreContract, ExceptionsAreListedOnceAndLeaveWhenLinked) {
  ASSERT_TRUE(store_->addWaiting(study("1.2.1", "A1", "P1"), fromEpochMs(kBaseMs)).ok());
  ASSERT_TRUE(store_->addWaiting(study("1.2.2", "A2", "P1"), fromEpochMs(kBaseMs)).ok());
  EXPECT_TRUE(store_->addException("1.2.2", fromEpochMs(kBaseMs + 10)).value());
  EXPECT_TRUE(store_->addException("1.2.1", fromEpochMs(kBaseMs + 20)).value());
  EXPECT_FALSE(store_->addException("1.2.1", fromEpochMs(kBaseMs + 30)).value());
  EXPECT_FALSE(store_->addException("1.2.7", fromEpochMs(kBaseMs)).value());  // never kept
  auto listed = store_->exceptions(10);
  ASSERT_TRUE(listed.ok()) << listed.error().describe();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].study_uid, "1.2.2");
  EXPECT_EQ((*listed)[0].site, "north");
  EXPECT_EQ(toEpochMs((*listed)[0].since), kBaseMs + 10);
  EXPECT_TRUE(store_->dueWaiting(fromEpochMs(kBaseMs + 100), 10)->empty());
  // Still matchable by a late order.
  EXPECT_EQ(store_->waitingFor("north", "A1", "")->size(), 1u);
  ASSERT_TRUE(store_->link({"1.2.1", "north|A1", LinkReason::Accession, false,
                            fromEpochMs(kBaseMs)})
                  .ok());
  ASSERT_EQ(store_->exceptions(10)->size(), 1u);
  EXPECT_EQ(store_->exceptions(10)->front().study_uid, "1.2.2");
}

TEST_P(OrderStoreContract, MergeMovesOrdersAndUnlinkedStudies) {
  ASSERT_TRUE(store_->putOrder("north|A1", order("A1", "OLD")).ok());
  ASSERT_TRUE(store_->putOrder("north|A2", order("A2", "NEW")).ok());
  ASSERT_TRUE(store_->addWaiting(study("1.2.1", "", "OLD"), fromEpochMs(kBaseMs)).ok());
  auto moves = store_->mergePatient({"north", "NEW", "OLD", fromEpochMs(kBaseMs)});
  ASSERT_TRUE(moves.ok()) << moves.error().describe();
  EXPECT_EQ(moves->order_keys, std::vector<std::string>{"north|A1"});
  EXPECT_EQ(moves->waiting_study_uids, std::vector<std::string>{"1.2.1"});
  EXPECT_EQ(store_->order("north|A1").value()->patient_id, "NEW");
  EXPECT_TRUE(store_->ordersByPatient("north", "OLD")->empty());
  EXPECT_EQ(sorted(store_->ordersByPatient("north", "NEW").value()),
            (std::vector<std::string>{"north|A1", "north|A2"}));
  auto waiting = store_->waitingFor("north", "", "NEW");
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ(waiting->front().patient_id, "NEW");
  EXPECT_TRUE(store_->waitingFor("north", "", "OLD")->empty());
}

TEST_P(OrderStoreContract, MergesAreFollowedToTheCurrentId) {
  EXPECT_EQ(store_->currentPatientId("north", "A").value(), "A");
  ASSERT_TRUE(store_->mergePatient({"north", "B", "A", fromEpochMs(kBaseMs)}).ok());
  ASSERT_TRUE(store_->mergePatient({"north", "C", "B", fromEpochMs(kBaseMs)}).ok());
  EXPECT_EQ(store_->currentPatientId("north", "A").value(), "C");
  EXPECT_EQ(store_->currentPatientId("north", "B").value(), "C");
  EXPECT_EQ(store_->currentPatientId("south", "A").value(), "A");
  EXPECT_EQ(store_->currentPatientId("north", "").value(), "");
}

TEST_P(OrderStoreContract, PatientsAreStored) {
  EXPECT_TRUE(store_->putPatient({"north", "P1", "Doe^Jane", "19700101", "F", fromEpochMs(1)}).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, OrderStoreContract, ::testing::Values("redis", "fake"),
                         [](const auto& info) { return info.param; });

TEST(RedisOrderStore, RefusesWhatCannotBeAKey) {
  adapters::redis::RedisOrderStore store({"127.0.0.1:1", std::chrono::milliseconds(100),
                                          std::chrono::milliseconds(100)},
                                         "sundial");
  EXPECT_EQ(store.linkOf("not/a/uid").error().code, ErrorCode::InvalidInput);
  EXPECT_EQ(store.order(std::string("a\nb")).error().code, ErrorCode::InvalidInput);
  Order bad_site;
  bad_site.site = "no:colons";
  EXPECT_EQ(store.putOrder("x", bad_site).error().code, ErrorCode::InvalidInput);
  // A valid call against no server: Unavailable, not a crash.
  EXPECT_EQ(store.linkOf("1.2.3").error().code, ErrorCode::Unavailable);
}

}  // namespace
}  // namespace sundial::engine
