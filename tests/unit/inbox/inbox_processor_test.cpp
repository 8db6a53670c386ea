#include "engine/inbox/inbox_processor.h"

#include <gtest/gtest.h>

#include "tests/support/scripted_hl7_inbox.h"
#include "tests/support/fake_order_store.h"
#include "tests/support/fakes.h"

namespace sundial::engine {
namespace {

using namespace std::chrono_literals;

struct Published {
  std::vector<Event> events;
};

class RecordingPublisher final : public EventPublisher {
 public:
  explicit RecordingPublisher(Published& out) : out_(out) {}
  Result<void> publish(const Event& event) override {
    out_.events.push_back(event);
    return okResult();
  }

 private:
  Published& out_;
};

std::string hl7(std::initializer_list<std::string> segments) {
  std::string text;
  for (const auto& s : segments) text += s + "\r";
  return text;
}

const std::string kOrm = hl7({"MSH|^~\\&|RIS|NORTH|SUNDIAL|TELERAD|20261130010000||ORM^O01|C1|P|2.3",
                              "PID|1||P1^^^NORTH||Doe^Jane||19700102|F", "ORC|NW|PL1|||||^^^^^S",
                              "OBR|1|PL1||CTHEAD^CT head|||20261130005000|||||||||||ACC1||||||CT"});
const std::string kCancel = hl7({"MSH|^~\\&|RIS|NORTH|SUNDIAL|TELERAD|20261130010000||ORM^O01|C2|P|2.3",
                                 "PID|1||P1^^^NORTH", "ORC|CA|PL1",
                                 "OBR|1|PL1||CTHEAD||||||||||||||ACC1"});
const std::string kNoPatient = hl7({"MSH|^~\\&|RIS|NORTH|SUNDIAL|TELERAD|20261130010000||ORM^O01|C3|P|2.3",
                                    "ORC|NW|PL1", "OBR|1|PL1"});
const std::string kOru = hl7({"MSH|^~\\&|RPT|TELERAD|RIS|NORTH|20261130010000||ORU^R01|C4|P|2.5",
                              "PID|1||P1", "OBR|1|PL1|FI1|X||||||||||||||ACC1||||||CT|F",
                              "OBX|1|TX|REPORT||No acute findings||||||F"});
const std::string kMerge = hl7({"MSH|^~\\&|ADT|NORTH|SUNDIAL|TELERAD|20261130010000||ADT^A40|C5|P|2.5",
                                "PID|1||NEW", "MRG|P1"});
const std::string kDischarge = hl7({"MSH|^~\\&|ADT|NORTH|SUNDIAL|TELERAD|20261130010000||ADT^A03|C6|P|2.5",
                                    "PID|1||P1"});

class InboxProcessorTest : public ::testing::Test {
 protected:
  InboxProcessorTest()
      : matcher_(orders_, studies_, clock_, config()),
        processor_(&inbox_, matcher_, studies_,
                   [this] { return std::make_unique<RecordingPublisher>(published_); }, clock_,
                   options()) {}

  static config::MatchingConfig config() {
    config::MatchingConfig c;
    c.unmatched_after = 2min;
    return c;
  }
  static InboxProcessorOptions options() {
    InboxProcessorOptions o;
    o.wait = 0ms;
    o.sweep_every = 1s;
    return o;
  }

  template <typename E>
  std::vector<E> eventsOf() {
    std::vector<E> out;
    for (const auto& e : published_.events) {
      if (const auto* x = std::get_if<E>(&e)) out.push_back(*x);
    }
    return out;
  }

  testing::FakeClock clock_;
  testing::ScriptedHl7Inbox inbox_;
  testing::FakeOrderStore orders_;
  testing::FakeStateStore studies_;
  Published published_;
  OrderMatcher matcher_;
  InboxProcessor processor_;
};

TEST_F(InboxProcessorTest, AnOrderIsStoredFinishedAndPublished) {
  const std::string id = inbox_.add("north", "ORM^O01", kOrm);
  processor_.runOnce();
  EXPECT_EQ(inbox_.finished, std::vector<std::string>{id});
  ASSERT_EQ(orders_.orders.count("north|ACC1"), 1u);
  EXPECT_EQ(orders_.orders["north|ACC1"].priority, OrderPriority::Stat);
  auto events = eventsOf<OrderReceived>();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].site, "north");
  EXPECT_EQ(events[0].order_key, "north|ACC1");
  EXPECT_EQ(events[0].priority, "STAT");
}

TEST_F(InboxProcessorTest, AMessageThatCannotBeMappedIsRejectedWithTheField) {
  const std::string id = inbox_.add("north", "ORM^O01", kNoPatient);
  processor_.runOnce();
  ASSERT_EQ(inbox_.rejected.count(id), 1u);
  EXPECT_NE(inbox_.rejected[id].find("PID"), std::string::npos);
  EXPECT_TRUE(inbox_.finished.empty());
  EXPECT_TRUE(published_.events.empty());
}

TEST_F(InboxProcessorTest, RedisDownKeepsTheMessageAndTriesAgain) {
  const std::string id = inbox_.add("north", "ORM^O01", kOrm);
  orders_.available = false;
  processor_.runOnce();
  EXPECT_TRUE(inbox_.finished.empty());
  EXPECT_TRUE(inbox_.rejected.empty());
  EXPECT_EQ(processor_.unfinishedForTest(), 1u);
  orders_.available = true;
  processor_.runOnce();
  EXPECT_EQ(inbox_.finished, std::vector<std::string>{id});
  EXPECT_EQ(processor_.unfinishedForTest(), 0u);
  EXPECT_EQ(eventsOf<OrderReceived>().size(), 1u);
}

TEST_F(InboxProcessorTest, ReportsWaitOnTheInboxUntilAHandlerIsRegistered) {
  const std::string oru = inbox_.add("north", "ORU^R01", kOru);
  const std::string orm = inbox_.add("north", "ORM^O01", kOrm);
  processor_.runOnce();
  processor_.runOnce();
  EXPECT_EQ(inbox_.finished, std::vector<std::string>{orm});  // the order is not held up
  EXPECT_TRUE(inbox_.rejected.empty());
  EXPECT_EQ(inbox_.taken.count(oru), 1u);

  std::vector<Report> reports;
  processor_.registerReportHandler([&](const Report& r, const InboxMessage& m) -> Result<void> {
    EXPECT_EQ(m.id, oru);
    reports.push_back(r);
    return okResult();
  });
  processor_.runOnce();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].accession_number, "ACC1");
  EXPECT_EQ(reports[0].text, "No acute findings");
  EXPECT_EQ(inbox_.finished.back(), oru);
  auto events = eventsOf<ReportReceived>();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].status, "final");
}

TEST_F(InboxProcessorTest, AReportHandlerRefusalRejectsAndItsOutageRetries) {
  const std::string id = inbox_.add("north", "ORU^R01", kOru);
  ErrorCode answer = ErrorCode::Unavailable;
  processor_.registerReportHandler([&](const Report&, const InboxMessage&) -> Result<void> {
    return makeError(answer, "worklist says no (test)");
  });
  processor_.runOnce();
  EXPECT_TRUE(inbox_.rejected.empty());
  EXPECT_EQ(processor_.unfinishedForTest(), 1u);
  answer = ErrorCode::NotFound;
  processor_.runOnce();
  ASSERT_EQ(inbox_.rejected.count(id), 1u);
  EXPECT_NE(inbox_.rejected[id].find("worklist says no"), std::string::npos);
}

TEST_F(InboxProcessorTest, CancelAndMergeAreAppliedAndPublished) {
  inbox_.add("north", "ORM^O01", kOrm);
  inbox_.add("north", "ORM^O01", kCancel);
  inbox_.add("north", "ADT^A40", kMerge);
  processor_.runOnce();
  EXPECT_EQ(inbox_.finished.size(), 3u);
  EXPECT_EQ(orders_.orders["north|ACC1"].status, OrderStatus::Cancelled);
  EXPECT_EQ(orders_.orders["north|ACC1"].patient_id, "NEW");
  auto merged = eventsOf<PatientsMerged>();
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].prior_patient_id, "P1");
  EXPECT_EQ(merged[0].surviving_patient_id, "NEW");
}

TEST_F(InboxProcessorTest, OtherAdtEventsAreFinishedWithoutAChange) {
  const std::string id = inbox_.add("north", "ADT^A03", kDischarge);
  processor_.runOnce();
  EXPECT_EQ(inbox_.finished, std::vector<std::string>{id});
  EXPECT_TRUE(published_.events.empty());
}

TEST_F(InboxProcessorTest, CompletedStudiesAreMatchedAndUnmatchedOnesListed) {
  StudyFacts f;
  f.study_uid = "1.2.3";
  f.site = "north";
  f.accession_number = "NO-ORDER";
  f.modality = "CT";
  f.complete = true;
  f.completed_at = clock_.utcNow();
  studies_.facts[f.study_uid] = f;
  processor_.runOnce();
  EXPECT_EQ(orders_.waiting_due.count("1.2.3"), 1u);
  clock_.advance(2min);
  processor_.runOnce();
  auto listed = orders_.exceptions(10);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().study_uid, "1.2.3");
}

TEST_F(InboxProcessorTest, StopEndsTheThreadPromptly) {
  processor_.start();
  processor_.stop();  // joins; a second stop is harmless
  processor_.stop();
  SUCCEED();
}

}  // namespace
}  // namespace sundial::engine
