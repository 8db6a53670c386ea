#include "hl7/ack/ack_builder.h"

#include <gtest/gtest.h>

#include "hl7/ack/ack_reader.h"

namespace sundial::hl7 {
namespace {

constexpr std::string_view kOrder251 =
    "MSH|^~\\&|RIS^1.2.3^ISO|CITYHOSP|SUNDIAL|TELERAD|20260101120000||ORM^O01^ORM_O01|"
    "MSG0001|P|2.5.1||||||8859/1\r"
    "PID|1||12345^^^CITYHOSP^MR||DOE^JANE\r"
    "ORC|NW|ORD1\r";

constexpr std::string_view kOrder23 =
    "MSH|^~\\&|RIS|CITYHOSP|SUNDIAL|TELERAD|20260101120000||ORM^O01|MSG0002|P|2.3\r"
    "PID|1||12345\r";

Message parse(std::string_view text) {
  Result<Message> message = parseMessage(text);
  EXPECT_TRUE(message.ok());
  return std::move(message).value();
}

AckRequest accept() {
  return AckRequest{.ack_class = AckClass::Accept, .error = {}, .control_id = "ACK1",
                    .date_time = "20260101120001"};
}

AckRequest errorAt(AckClass ack_class) {
  AckRequest request = accept();
  request.ack_class = ack_class;
  request.error = AckError{.location = {.segment_id = "PID", .segment_sequence = 1, .field = 3},
                           .code = Hl7ErrorCode::RequiredFieldMissing,
                           .text = "patient ID missing"};
  return request;
}

TEST(BuildAck, OriginalModeAcceptMirrorsTheHeader) {
  const Message order = parse(kOrder251);
  const std::optional<std::string> ack = buildAck(ackHeaderSource(order), accept());
  ASSERT_TRUE(ack);
  EXPECT_EQ(*ack,
            "MSH|^~\\&|SUNDIAL|TELERAD|RIS^1.2.3^ISO|CITYHOSP|20260101120001||ACK^O01^ACK|ACK1|"
            "P|2.5.1||||||8859/1\r"
            "MSA|AA|MSG0001\r");
}

TEST(BuildAck, ErrorNamesTheFieldInErr2ForV25) {
  const Message order = parse(kOrder251);
  const std::optional<std::string> ack =
      buildAck(ackHeaderSource(order), errorAt(AckClass::Error));
  ASSERT_TRUE(ack);
  EXPECT_NE(ack->find("MSA|AE|MSG0001|patient ID missing\r"), std::string::npos) << *ack;
  EXPECT_NE(ack->find("ERR||PID^1^3|101^Required field missing^HL70357|E||||patient ID missing\r"),
            std::string::npos)
      << *ack;
}

TEST(BuildAck, ErrorUsesErr1BeforeV25) {
  const Message order = parse(kOrder23);
  const std::optional<std::string> ack =
      buildAck(ackHeaderSource(order), errorAt(AckClass::Reject));
  ASSERT_TRUE(ack);
  EXPECT_NE(ack->find("|ACK^O01|ACK1|P|2.3\r"), std::string::npos) << *ack;
  EXPECT_NE(ack->find("MSA|AR|MSG0002|patient ID missing\r"), std::string::npos) << *ack;
  EXPECT_NE(ack->find("ERR|PID^1^3^101&patient ID missing&HL70357\r"), std::string::npos) << *ack;
}

TEST(BuildAck, KeepsTheSendersEncodingCharacters) {
  const Message order = parse(
      "MSH#@~\\&#RIS#HOSP#SUNDIAL#TELERAD#20260101##ORM@O01#C1#P#2.4\rPID#1\r");
  const std::optional<std::string> ack =
      buildAck(ackHeaderSource(order), errorAt(AckClass::Error));
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->rfind("MSH#@~\\&#SUNDIAL#TELERAD#RIS#HOSP#", 0), 0u) << *ack;
  EXPECT_NE(ack->find("#ACK@O01@ACK#ACK1#P#2.4\r"), std::string::npos) << *ack;
  EXPECT_NE(ack->find("ERR#PID@1@3@101&patient ID missing&HL70357\r"), std::string::npos) << *ack;
}

TEST(BuildAck, ErrorTextIsEscaped) {
  const Message order = parse(kOrder251);
  AckRequest request = errorAt(AckClass::Error);
  request.error->text = "a|b^c";
  const std::optional<std::string> ack = buildAck(ackHeaderSource(order), request);
  ASSERT_TRUE(ack);
  EXPECT_NE(ack->find("MSA|AE|MSG0001|a\\F\\b\\S\\c\r"), std::string::npos) << *ack;
  const Result<AckOutcome> read = readAck(*ack);
  ASSERT_TRUE(read.ok());
  EXPECT_NE(read->error_text.find("a|b^c"), std::string::npos);
}

std::string enhancedOrder(std::string_view msh15) {
  return "MSH|^~\\&|RIS|HOSP|SUNDIAL|TELERAD|20260101||ORM^O01|E1|P|2.5|||" + std::string(msh15) +
         "|NE\rPID|1\r";
}

TEST(BuildAck, EnhancedModeSendsCommitAcksPerMsh15) {
  struct Case {
    std::string_view msh15;
    bool on_accept;
    bool on_error;
  };
  for (const Case& c : {Case{"AL", true, true}, Case{"NE", false, false},
                        Case{"ER", false, true}, Case{"SU", true, false},
                        Case{"", true, true}}) {
    SCOPED_TRACE(std::string(c.msh15));
    const Message order = parse(enhancedOrder(c.msh15));
    const AckHeaderSource source = ackHeaderSource(order);
    EXPECT_EQ(ackModeOf(source), AckMode::Enhanced);
    const std::optional<std::string> accepted = buildAck(source, accept());
    const std::optional<std::string> failed = buildAck(source, errorAt(AckClass::Error));
    ASSERT_EQ(accepted.has_value(), c.on_accept);
    ASSERT_EQ(failed.has_value(), c.on_error);
    if (accepted) {
      EXPECT_NE(accepted->find("MSA|CA|E1\r"), std::string::npos);
    }
    if (failed) {
      EXPECT_NE(failed->find("MSA|CE|E1|"), std::string::npos);
    }
  }
}

TEST(BuildAck, OriginalModeWhenMsh15And16AreEmpty) {
  EXPECT_EQ(ackModeOf(ackHeaderSource(parse(kOrder251))), AckMode::Original);
}

TEST(ScanAckHeaderSource, FindsTheControlIdInTextThatDoesNotParse) {
  const std::string text = std::string("junk line\r") + std::string(kOrder23) + "\x01\x02garbage";
  const std::optional<AckHeaderSource> source = scanAckHeaderSource(text);
  ASSERT_TRUE(source);
  EXPECT_EQ(source->control_id, "MSG0002");
  EXPECT_EQ(source->trigger_event, "O01");
  EXPECT_EQ(source->version, "2.3");
  EXPECT_EQ(source->sending_application, "RIS");
}

TEST(ScanAckHeaderSource, NothingWithoutControlId) {
  EXPECT_FALSE(scanAckHeaderSource("hello world"));
  EXPECT_FALSE(scanAckHeaderSource("MSH|^~\\&|A|B|C|D|x||ORM^O01||P|2.5\r"));
  EXPECT_FALSE(scanAckHeaderSource("MSH|"));
  EXPECT_FALSE(scanAckHeaderSource("MSH\r0123456789"));
  EXPECT_FALSE(scanAckHeaderSource("MSH|^~\r|A|B|C|D|x||ORM^O01|C1|P|2.5\r"));
  EXPECT_FALSE(scanAckHeaderSource("XMSH|^~\\&|A|B|C|D|x||ORM^O01|C1|P|2.5\r"));
}

TEST(BuildRejectForUnparsed, ArWithTheReason) {
  const std::optional<std::string> ack =
      buildRejectForUnparsed("MSH|^~\\&|A|B|C|D|x||ORM^O01|C9|P|2.5.1\rthis is not a segment\r",
                             Hl7ErrorCode::SegmentSequenceError, "line 2 is not a segment", "K1",
                             "20260101");
  ASSERT_TRUE(ack);
  const Result<AckOutcome> read = readAck(*ack);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->code, AckCode::ApplicationReject);
  EXPECT_EQ(read->control_id, "C9");
  EXPECT_NE(read->error_text.find("line 2 is not a segment"), std::string::npos);
  EXPECT_NE(ack->find("|100^Segment sequence error^HL70357|"), std::string::npos) << *ack;
  EXPECT_FALSE(buildRejectForUnparsed("garbage", Hl7ErrorCode::SegmentSequenceError, "x", "K",
                                      "20260101"));
}

}  // namespace
}  // namespace sundial::hl7
