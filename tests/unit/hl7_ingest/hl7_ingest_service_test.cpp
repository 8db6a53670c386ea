#include "engine/hl7_ingest/hl7_ingest_service.h"

#include <gtest/gtest.h>

#include "hl7/ack/ack_reader.h"
#include "hl7/message/segments.h"
#include "tests/support/fake_hl7_inbox.h"
#include "tests/support/fakes.h"
#include "tests/unit/hl7_ingest/test_messages.h"

namespace sundial::engine {
namespace {

using hl7::mllp::Reply;

class IngestServiceTest : public ::testing::Test {
 protected:
  Reply send(const std::string& text) {
    hl7::mllp::ReceivedMessage received{text, hl7::parseMessage(text), "127.0.0.1:5000", 1, ""};
    return service_.handle(received);
  }

  // The ACK's MSA-1, MSA-2 and error text; fails the test when the reply is no ACK.
  hl7::AckOutcome ackOf(const Reply& reply) {
    EXPECT_EQ(reply.action, Reply::Action::SendAck) << reply.reason;
    auto outcome = hl7::readAck(reply.ack);
    EXPECT_TRUE(outcome.ok()) << reply.ack;
    return outcome.ok() ? outcome.value() : hl7::AckOutcome{};
  }

  std::string metrics() const { return metrics_.renderPrometheus(); }

  sundial::testing::FakeHl7Inbox inbox_;
  DirectIngestStore store_{inbox_};
  Metrics metrics_;
  sundial::testing::FakeClock clock_;
  Hl7IngestService service_{std::make_shared<SenderDirectory>(testing::twoSites()), store_,
                            metrics_, clock_};
};

TEST_F(IngestServiceTest, StoresThenAcknowledgesWithAA) {
  Reply reply = send(testing::ormMessage("C100"));
  hl7::AckOutcome ack = ackOf(reply);
  EXPECT_EQ(ack.code, hl7::AckCode::ApplicationAccept);
  EXPECT_EQ(ack.control_id, "C100");
  ASSERT_EQ(inbox_.stored.size(), 1u);
  EXPECT_EQ(inbox_.stored[0].site, "DEMO");
  EXPECT_EQ(inbox_.stored[0].message_type, "ORM^O01");
  EXPECT_EQ(inbox_.stored[0].received_at, clock_.utcNow());
  EXPECT_NE(metrics().find("sundial_hl7_acks_total{code=\"AA\"} 1"), std::string::npos);
}

TEST_F(IngestServiceTest, DuplicateIsAcknowledgedAgainButStoredOnce) {
  ASSERT_EQ(ackOf(send(testing::ormMessage("C1"))).code, hl7::AckCode::ApplicationAccept);
  hl7::AckOutcome again = ackOf(send(testing::ormMessage("C1")));
  EXPECT_EQ(again.code, hl7::AckCode::ApplicationAccept);
  EXPECT_EQ(again.control_id, "C1");
  EXPECT_EQ(inbox_.stored.size(), 1u);
  EXPECT_NE(metrics().find("sundial_hl7_duplicates_total 1"), std::string::npos);
}

TEST_F(IngestServiceTest, SameControlIdFromAnotherSenderIsNotADuplicate) {
  ackOf(send(testing::ormMessage("C1", "DEMO_HOSP")));
  std::string other = testing::ormMessage("C1", "NORTH");
  ackOf(send(other));
  EXPECT_EQ(inbox_.stored.size(), 2u);
}

TEST_F(IngestServiceTest, StoreDownMeansNoAckAndTheConnectionCloses) {
  inbox_.available = false;
  Reply reply = send(testing::ormMessage("C2"));
  EXPECT_EQ(reply.action, Reply::Action::CloseWithoutAck);
  EXPECT_TRUE(reply.ack.empty());
  EXPECT_NE(reply.reason.find("not stored"), std::string::npos);
  EXPECT_TRUE(inbox_.stored.empty());
  EXPECT_NE(metrics().find("sundial_hl7_closed_without_ack_total 1"), std::string::npos);
  // Back up: the sender's retry is stored and acknowledged.
  inbox_.available = true;
  EXPECT_EQ(ackOf(send(testing::ormMessage("C2"))).code, hl7::AckCode::ApplicationAccept);
  EXPECT_EQ(inbox_.stored.size(), 1u);
}

TEST_F(IngestServiceTest, UnknownSenderGetsARAndNothingIsStored) {
  hl7::AckOutcome ack = ackOf(send(testing::ormMessage("C3", "STRANGER")));
  EXPECT_EQ(ack.code, hl7::AckCode::ApplicationReject);
  EXPECT_NE(ack.error_text.find("not for us"), std::string::npos);
  EXPECT_TRUE(inbox_.stored.empty());
  EXPECT_EQ(inbox_.store_calls, 0);
}

TEST_F(IngestServiceTest, MissingSegmentGetsAEWithErr) {
  std::string text = testing::ormMessage("C4");
  text.erase(text.find("\rORC|"));
  text += "\r";
  Reply reply = send(text);
  hl7::AckOutcome ack = ackOf(reply);
  EXPECT_EQ(ack.code, hl7::AckCode::ApplicationError);
  EXPECT_NE(reply.ack.find("\rERR|"), std::string::npos) << reply.ack;
  EXPECT_NE(ack.error_text.find("ORC"), std::string::npos);
  EXPECT_TRUE(inbox_.stored.empty());
}

TEST_F(IngestServiceTest, UnparseableWithControlIdGetsAR) {
  // MSH-9 empty: the parser refuses it, but MSH-10 can be read for the NAK.
  const std::string text = "MSH|^~\\&|RIS|DEMO_HOSP|SUNDIAL|TELERAD|20261130|||C5|P|2.3\r";
  hl7::AckOutcome ack = ackOf(send(text));
  EXPECT_EQ(ack.code, hl7::AckCode::ApplicationReject);
  EXPECT_EQ(ack.control_id, "C5");
  EXPECT_TRUE(inbox_.stored.empty());
}

TEST_F(IngestServiceTest, UnparseableWithoutControlIdClosesTheConnection) {
  Reply reply = send("this is not HL7 at all");
  EXPECT_EQ(reply.action, Reply::Action::CloseWithoutAck);
  EXPECT_FALSE(reply.reason.empty());
}

TEST_F(IngestServiceTest, EnhancedModeAnswersCommitAccept) {
  hl7::AckOutcome ack = ackOf(send(testing::ormMessage("C6", "DEMO_HOSP", "AL", "NE")));
  EXPECT_EQ(ack.code, hl7::AckCode::CommitAccept);
  EXPECT_EQ(inbox_.stored.size(), 1u);
}

TEST_F(IngestServiceTest, EnhancedModeNeverMeansNoAckButStillStored) {
  Reply reply = send(testing::ormMessage("C7", "DEMO_HOSP", "NE", "NE"));
  EXPECT_EQ(reply.action, Reply::Action::NoAck);
  EXPECT_EQ(inbox_.stored.size(), 1u);
}

TEST_F(IngestServiceTest, EnhancedModeErrorOnlyStaysSilentOnSuccessAndAnswersCR) {
  EXPECT_EQ(send(testing::ormMessage("C8", "DEMO_HOSP", "ER", "NE")).action, Reply::Action::NoAck);
  hl7::AckOutcome ack = ackOf(send(testing::ormMessage("C9", "STRANGER", "ER", "NE")));
  EXPECT_EQ(ack.code, hl7::AckCode::CommitReject);
}

TEST_F(IngestServiceTest, AckMirrorsTheHeaderAndHasItsOwnControlId) {
  Reply first = send(testing::ormMessage("C10"));
  Reply second = send(testing::ormMessage("C11"));
  auto a = hl7::parseMessage(first.ack);
  auto b = hl7::parseMessage(second.ack);
  ASSERT_TRUE(a.ok() && b.ok());
  const hl7::MessageHeader ha = hl7::readMessageHeader(a.value());
  EXPECT_EQ(ha.sending_application, "SUNDIAL");
  EXPECT_EQ(ha.receiving_facility, "DEMO_HOSP");
  EXPECT_EQ(ha.message_code, "ACK");
  EXPECT_NE(ha.control_id, hl7::readMessageHeader(b.value()).control_id);
}

}  // namespace
}  // namespace sundial::engine
