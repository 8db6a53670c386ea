#include "hl7/ack/ack_reader.h"

#include <gtest/gtest.h>

namespace sundial::hl7 {
namespace {

TEST(ReadAck, AaAndCaAreDelivered) {
  for (std::string_view code : {"AA", "CA"}) {
    const Result<AckOutcome> ack =
        readAck("MSH|^~\\&|S|F|R|G|20260101||ACK|1|P|2.5\rMSA|" + std::string(code) + "|C1\r");
    ASSERT_TRUE(ack.ok());
    EXPECT_TRUE(ack->delivered);
    EXPECT_EQ(ack->control_id, "C1");
    EXPECT_TRUE(ack->error_text.empty());
  }
}

TEST(ReadAck, FailuresKeepTheSitesText) {
  for (std::string_view code : {"AE", "AR", "CE", "CR"}) {
    const Result<AckOutcome> ack = readAck(
        "MSH|^~\\&|S|F|R|G|20260101||ACK|1|P|2.5\rMSA|" + std::string(code) +
        "|C1|unknown patient\rERR||PID^1^3|103^Table value not found^HL70357|E||||no such MRN\r");
    ASSERT_TRUE(ack.ok());
    EXPECT_FALSE(ack->delivered);
    EXPECT_EQ(ackCodeName(ack->code), code);
    EXPECT_EQ(ack->error_text, "unknown patient; 103 no such MRN");
  }
}

TEST(ReadAck, ReadsV23ErrorSegment) {
  const Result<AckOutcome> ack = readAck(
      "MSH|^~\\&|S|F|R|G|20260101||ACK|1|P|2.3\rMSA|AE|C1\rERR|PID^1^3^101&Missing MRN&HL70357\r");
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->error_text, "101 Missing MRN");
}

TEST(ReadAck, GarbageIsInvalidInput) {
  for (std::string_view text : {"", "hello", "MSH|^~\\&|S|F|R|G|1||ACK|1|P|2.5\rPID|1\r",
                                "MSH|^~\\&|S|F|R|G|1||ACK|1|P|2.5\rMSA|OK|C1\r"}) {
    const Result<AckOutcome> ack = readAck(text);
    ASSERT_FALSE(ack.ok()) << text;
    EXPECT_EQ(ack.error().code, ErrorCode::InvalidInput);
  }
}

}  // namespace
}  // namespace sundial::hl7
