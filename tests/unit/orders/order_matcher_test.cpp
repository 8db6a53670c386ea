#include "engine/orders/order_matcher.h"

#include <gtest/gtest.h>

#include "engine/orders/order_key.h"
#include "tests/support/fake_order_store.h"
#include "tests/support/fakes.h"

namespace sundial::engine {
namespace {

using namespace std::chrono_literals;

// What the dispatcher/worklist would have been told.
class RecordingListener final : public OrderListener {
 public:
  std::vector<OrderLink> linked;
  std::vector<OrderLink> cancelled;
  std::vector<PatientMerge> merges;
  std::optional<ErrorCode> fail_with;

  Result<void> orderLinked(const OrderLink& link) override {
    if (fail_with) return makeError(*fail_with, "listener down (test)");
    linked.push_back(link);
    return okResult();
  }
  Result<void> orderCancelled(const OrderLink& link) override {
    if (fail_with) return makeError(*fail_with, "listener down (test)");
    cancelled.push_back(link);
    return okResult();
  }
  Result<void> patientMerged(const PatientMerge& merge) override {
    if (fail_with) return makeError(*fail_with, "listener down (test)");
    merges.push_back(merge);
    return okResult();
  }
};

class OrderMatcherTest : public ::testing::Test {
 protected:
  OrderMatcherTest() : matcher_(orders_, studies_, clock_, config()) {
    matcher_.addListener(listener_);
  }

  static config::MatchingConfig config() {
    config::MatchingConfig c;
    c.time_window = 60min;
    c.unmatched_after = 2min;
    return c;
  }

  // An order at `site` placed at the fake clock's time + `offset`.
  Order makeOrder(const std::string& accession, const std::string& patient = "P1",
                  const std::string& modality = "CT", std::chrono::minutes offset = 0min) {
    Order o;
    o.site = "north";
    o.accession_number = accession;
    o.placer_order_number = "PL-" + accession;
    o.patient_id = patient;
    o.modality = modality;
    o.priority = OrderPriority::Stat;
    o.reason_for_exam = "Fall";
    o.ordered_at = clock_.utcNow() + offset;
    o.received_at = clock_.utcNow();
    return o;
  }

  // A complete study whose DICOM date/time is the fake clock's time + `offset`.
  void addStudy(const std::string& uid, const std::string& accession,
                const std::string& patient = "P1", const std::string& modality = "CT",
                std::chrono::minutes offset = 0min) {
    StudyFacts f;
    f.study_uid = uid;
    f.site = "north";
    f.accession_number = accession;
    f.patient_id = patient;
    f.modality = modality;
    const auto at = std::chrono::floor<std::chrono::seconds>(clock_.utcNow() + offset);
    const auto day = std::chrono::floor<std::chrono::days>(at);
    const std::chrono::year_month_day ymd(day);
    const std::chrono::hh_mm_ss hms(at - day);
    char date[16];
    char time[16];
    std::snprintf(date, sizeof date, "%04d%02u%02u", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()));
    std::snprintf(time, sizeof time, "%02ld%02ld%02ld", long(hms.hours().count()),
                  long(hms.minutes().count()), long(hms.seconds().count()));
    f.study_date = date;
    f.study_time = time;
    f.complete = true;
    f.first_received_at = clock_.utcNow();
    f.completed_at = clock_.utcNow();
    studies_.facts[uid] = f;
  }

  std::optional<OrderLink> lookup(const std::string& uid) {
    auto link = matcher_.orderForStudy(uid);
    EXPECT_TRUE(link.ok()) << (link.ok() ? "" : link.error().describe());
    return link.ok() ? link.value() : std::nullopt;
  }

  testing::FakeClock clock_;
  testing::FakeOrderStore orders_;
  testing::FakeStateStore studies_;
  RecordingListener listener_;
  OrderMatcher matcher_;
};

TEST_F(OrderMatcherTest, OrderFirstThenStudyLinksByAccession) {
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1")).ok());
  addStudy("1.2.1", "ACC1", "OTHER-ID", "MR", 300min);  // only the accession agrees
  auto link = lookup("1.2.1");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->order_key, "north|ACC1");
  EXPECT_EQ(link->reason, LinkReason::Accession);
  EXPECT_EQ(link->order.priority, OrderPriority::Stat);
  EXPECT_FALSE(link->cancelled);
  // The one who asked is answered; no listener call for it.
  EXPECT_TRUE(listener_.linked.empty());
  // Asking again gives the stored link.
  auto again = lookup("1.2.1");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->order_key, "north|ACC1");
}

TEST_F(OrderMatcherTest, StudyFirstThenOrderLinksAndTellsTheListener) {
  addStudy("1.2.1", "ACC1");
  EXPECT_FALSE(lookup("1.2.1"));
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1")).ok());
  ASSERT_EQ(listener_.linked.size(), 1u);
  EXPECT_EQ(listener_.linked[0].study_uid, "1.2.1");
  EXPECT_EQ(listener_.linked[0].reason, LinkReason::Accession);
  EXPECT_EQ(listener_.linked[0].order.reason_for_exam, "Fall");
  auto link = lookup("1.2.1");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->order_key, "north|ACC1");
  EXPECT_TRUE(orders_.waiting_due.empty());
}

TEST_F(OrderMatcherTest, WithoutAccessionPatientModalityAndWindowDecide) {
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1", "P1", "CT", 0min)).ok());
  addStudy("1.2.in", "", "P1", "CT", 59min);
  addStudy("1.2.late", "", "P1", "CT", 61min);
  addStudy("1.2.mr", "", "P1", "MR", 5min);
  addStudy("1.2.other", "", "P2", "CT", 5min);
  addStudy("1.2.otheracc", "ACC9", "P1", "CT", 5min);
  auto in = lookup("1.2.in");
  ASSERT_TRUE(in);
  EXPECT_EQ(in->reason, LinkReason::PatientModalityTime);
  EXPECT_FALSE(lookup("1.2.late"));
  EXPECT_FALSE(lookup("1.2.mr"));
  EXPECT_FALSE(lookup("1.2.other"));
  EXPECT_FALSE(lookup("1.2.otheracc"));
}

TEST_F(OrderMatcherTest, AccessionWinsOverACloserPatientMatch) {
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC-NEAR", "P1", "CT", 0min)).ok());
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC-FAR", "P1", "CT", 50min)).ok());
  addStudy("1.2.1", "ACC-FAR", "P1", "CT", 0min);
  auto link = lookup("1.2.1");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->order_key, "north|ACC-FAR");
  EXPECT_EQ(link->reason, LinkReason::Accession);
}

TEST_F(OrderMatcherTest, TheClosestOrderInTimeWinsByPatient) {
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("A", "P1", "CT", -40min)).ok());
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("B", "P1", "CT", 10min)).ok());
  addStudy("1.2.1", "", "P1", "CT", 0min);
  auto link = lookup("1.2.1");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->order_key, "north|B");
}

TEST_F(OrderMatcherTest, StudyFirstByPatientThenOrderInTheWindow) {
  addStudy("1.2.1", "", "P1", "CT", 30min);
  EXPECT_FALSE(lookup("1.2.1"));
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1", "P1", "CT", 0min)).ok());
  ASSERT_EQ(listener_.linked.size(), 1u);
  EXPECT_EQ(listener_.linked[0].reason, LinkReason::PatientModalityTime);
}

TEST_F(OrderMatcherTest, AStudyOfAnotherSiteNeverMatches) {
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1")).ok());
  addStudy("1.2.1", "ACC1");
  studies_.facts["1.2.1"].site = "south";
  EXPECT_FALSE(lookup("1.2.1"));
}

TEST_F(OrderMatcherTest, CancelMarksTheLinkCancelledAndTellsTheListener) {
  Order order = makeOrder("ACC1");
  ASSERT_TRUE(matcher_.applyOrder(order).ok());
  addStudy("1.2.1", "ACC1");
  ASSERT_TRUE(lookup("1.2.1"));
  Order cancel;  // a cancel carries only the numbers
  cancel.site = "north";
  cancel.accession_number = "ACC1";
  cancel.patient_id = "P1";
  cancel.status = OrderStatus::Cancelled;
  cancel.received_at = clock_.utcNow();
  ASSERT_TRUE(matcher_.applyOrder(cancel).ok());
  ASSERT_EQ(listener_.cancelled.size(), 1u);
  EXPECT_EQ(listener_.cancelled[0].study_uid, "1.2.1");
  EXPECT_TRUE(listener_.cancelled[0].cancelled);
  EXPECT_EQ(listener_.cancelled[0].order.reason_for_exam, "Fall");  // kept from the order
  auto link = lookup("1.2.1");
  ASSERT_TRUE(link);
  EXPECT_TRUE(link->cancelled);
  EXPECT_EQ(link->order.status, OrderStatus::Cancelled);
}

TEST_F(OrderMatcherTest, DiscontinuedOrderArrivingAfterItsStudyStillLinksItCancelled) {
  addStudy("1.2.1", "ACC1");
  EXPECT_FALSE(lookup("1.2.1"));
  Order order = makeOrder("ACC1");
  order.status = OrderStatus::Discontinued;
  ASSERT_TRUE(matcher_.applyOrder(order).ok());
  ASSERT_EQ(listener_.cancelled.size(), 1u);
  EXPECT_TRUE(listener_.linked.empty());
}

TEST_F(OrderMatcherTest, AChangedOrderReachesItsLinkedStudies) {
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1")).ok());
  addStudy("1.2.1", "ACC1");
  ASSERT_TRUE(lookup("1.2.1"));
  Order change = makeOrder("ACC1");
  change.priority = OrderPriority::Routine;
  change.status = OrderStatus::InProgress;
  ASSERT_TRUE(matcher_.applyOrder(change).ok());
  ASSERT_EQ(listener_.linked.size(), 1u);
  EXPECT_EQ(listener_.linked[0].order.priority, OrderPriority::Routine);
}

TEST_F(OrderMatcherTest, MergeMovesOrdersAndLinksTheMovedStudies) {
  // The order is under the surviving ID; the study came under the prior one.
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("", "NEW", "CT", 0min)).ok());
  addStudy("1.2.1", "", "OLD", "CT", 10min);
  EXPECT_FALSE(lookup("1.2.1"));
  // And an order under the prior ID with a linked study.
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC2", "OLD", "MR", 0min)).ok());
  addStudy("1.2.2", "ACC2", "OLD", "MR");
  ASSERT_TRUE(lookup("1.2.2"));

  auto merge = matcher_.applyMerge({"north", "NEW", "OLD", clock_.utcNow()});
  ASSERT_TRUE(merge.ok()) << merge.error().describe();
  EXPECT_EQ(merge->order_keys, std::vector<std::string>{"north|ACC2"});
  EXPECT_EQ(merge->study_uids, (std::vector<std::string>{"1.2.1", "1.2.2"}));
  ASSERT_EQ(listener_.merges.size(), 1u);
  EXPECT_EQ(listener_.merges[0].prior_patient_id, "OLD");
  EXPECT_EQ(orders_.orders["north|ACC2"].patient_id, "NEW");

  auto relinked = lookup("1.2.1");
  ASSERT_TRUE(relinked);
  EXPECT_EQ(relinked->reason, LinkReason::Merge);
  EXPECT_EQ(relinked->order.patient_id, "NEW");
  // Both studies were reported linked: the moved order's and the re-linked one.
  ASSERT_EQ(listener_.linked.size(), 2u);
  EXPECT_EQ(listener_.linked[0].study_uid, "1.2.2");
  EXPECT_EQ(listener_.linked[0].order.patient_id, "NEW");
  EXPECT_EQ(listener_.linked[1].study_uid, "1.2.1");
}

TEST_F(OrderMatcherTest, AMergeBeforeTheStudyArrivesStillLinksIt) {
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("", "NEW", "CT", 0min)).ok());
  ASSERT_TRUE(matcher_.applyMerge({"north", "NEW", "OLD", clock_.utcNow()}).ok());
  addStudy("1.2.1", "", "OLD", "CT", 10min);  // the modality still sends the old ID
  auto link = lookup("1.2.1");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->order.patient_id, "NEW");
  // And an order sent under the old ID afterwards lands on the surviving patient.
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC7", "OLD")).ok());
  EXPECT_EQ(orders_.orders["north|ACC7"].patient_id, "NEW");
}

TEST_F(OrderMatcherTest, UnmatchedStudyGoesToExceptionsAfterTheConfiguredTime) {
  addStudy("1.2.1", "ACC1");
  EXPECT_FALSE(lookup("1.2.1"));
  clock_.advance(119s);
  ASSERT_EQ(matcher_.sweepUnmatched(10).value(), 0);
  clock_.advance(1s);
  ASSERT_EQ(matcher_.sweepUnmatched(10).value(), 1);
  auto listed = orders_.exceptions(10);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().study_uid, "1.2.1");
  EXPECT_EQ(listed->front().site, "north");
  EXPECT_EQ(listed->front().since, clock_.utcNow());
  ASSERT_EQ(matcher_.sweepUnmatched(10).value(), 0);  // once

  // A late order still finds it, and takes it off the list.
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1")).ok());
  EXPECT_EQ(listener_.linked.size(), 1u);
  EXPECT_TRUE(orders_.exceptions(10)->empty());
}

TEST_F(OrderMatcherTest, MarkUnmatchedListsAtOnceButNotALinkedStudy) {
  addStudy("1.2.1", "ACC1");
  ASSERT_TRUE(matcher_.markUnmatched("1.2.1").ok());
  EXPECT_EQ(orders_.exceptions(10)->size(), 1u);
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC2")).ok());
  addStudy("1.2.2", "ACC2");
  ASSERT_TRUE(matcher_.markUnmatched("1.2.2").ok());
  EXPECT_EQ(orders_.exceptions(10)->size(), 1u);
  EXPECT_EQ(matcher_.markUnmatched("9.9.9").error().code, ErrorCode::NotFound);
}

TEST_F(OrderMatcherTest, LinkByHandFromTheExceptionList) {
  addStudy("1.2.1", "WRONG-ACC", "P9");
  ASSERT_TRUE(matcher_.markUnmatched("1.2.1").ok());
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1", "P1")).ok());
  auto link = matcher_.linkByAccession("1.2.1", "ACC1");
  ASSERT_TRUE(link.ok()) << link.error().describe();
  EXPECT_EQ(link->reason, LinkReason::Manual);
  ASSERT_EQ(listener_.linked.size(), 1u);
  EXPECT_EQ(listener_.linked[0].reason, LinkReason::Manual);
  EXPECT_TRUE(orders_.exceptions(10)->empty());
  EXPECT_EQ(lookup("1.2.1")->order_key, "north|ACC1");
}

TEST_F(OrderMatcherTest, LinkByHandNamesWhatIsUnknown) {
  addStudy("1.2.1", "");
  EXPECT_EQ(matcher_.linkByAccession("1.2.1", "NOPE").error().code, ErrorCode::NotFound);
  EXPECT_EQ(matcher_.linkByHand("1.2.1", "north|NOPE").error().code, ErrorCode::NotFound);
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1")).ok());
  EXPECT_EQ(matcher_.linkByHand("9.9", "north|ACC1").error().code, ErrorCode::NotFound);
  studies_.facts["1.2.1"].site = "south";
  EXPECT_EQ(matcher_.linkByHand("1.2.1", "north|ACC1").error().code, ErrorCode::InvalidInput);
}

TEST_F(OrderMatcherTest, ARetryableListenerFailureFailsTheChangeAndARepeatTellsAgain) {
  addStudy("1.2.1", "ACC1");
  EXPECT_FALSE(lookup("1.2.1"));
  listener_.fail_with = ErrorCode::Unavailable;
  auto first = matcher_.applyOrder(makeOrder("ACC1"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::Unavailable);
  listener_.fail_with.reset();
  ASSERT_TRUE(matcher_.applyOrder(makeOrder("ACC1")).ok());  // the inbox repeats the message
  ASSERT_EQ(listener_.linked.size(), 1u);
  EXPECT_EQ(listener_.linked[0].study_uid, "1.2.1");
}

TEST_F(OrderMatcherTest, StoreDownIsUnavailable) {
  addStudy("1.2.1", "ACC1");
  orders_.available = false;
  EXPECT_EQ(matcher_.orderForStudy("1.2.1").error().code, ErrorCode::Unavailable);
  EXPECT_EQ(matcher_.applyOrder(makeOrder("ACC1")).error().code, ErrorCode::Unavailable);
}

TEST(OrderKey, AccessionElsePlacerNumber) {
  Order o;
  o.site = "north";
  o.placer_order_number = "PL";
  EXPECT_EQ(orderKeyFor(o), "north|placer:PL");
  o.accession_number = "ACC";
  EXPECT_EQ(orderKeyFor(o), "north|ACC");
}

}  // namespace
}  // namespace sundial::engine
