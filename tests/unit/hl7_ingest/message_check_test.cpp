#include "engine/hl7_ingest/message_check.h"

#include <gtest/gtest.h>

#include "tests/unit/hl7_ingest/test_messages.h"

namespace sundial::engine {
namespace {

using hl7::AckClass;
using hl7::Hl7ErrorCode;

CheckedMessage check(const std::string& text) {
  static const SenderDirectory senders(testing::twoSites());
  auto parsed = hl7::parseMessage(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().describe();
  return checkMessage(parsed.value(), text, senders);
}

TEST(MessageCheck, AcceptsAnOrderFromAConfiguredSender) {
  const std::string text = testing::ormMessage("C1");
  CheckedMessage checked = check(text);
  ASSERT_TRUE(checked.accepted);
  EXPECT_EQ(checked.accepted->site, "DEMO");
  EXPECT_EQ(checked.accepted->sender, "RIS|DEMO_HOSP");
  EXPECT_EQ(checked.accepted->control_id, "C1");
  EXPECT_EQ(checked.accepted->message_type, "ORM^O01");
  EXPECT_EQ(checked.accepted->raw, text);
}

TEST(MessageCheck, UnknownSenderIsRejectedAsNotForUs) {
  CheckedMessage checked = check(testing::ormMessage("C1", "ELSEWHERE"));
  ASSERT_FALSE(checked.accepted);
  EXPECT_EQ(checked.refusal, AckClass::Reject);
  EXPECT_EQ(checked.error.location.segment_id, "MSH");
  EXPECT_EQ(checked.error.location.field, 4u);
  EXPECT_NE(checked.error.text.find("not for us"), std::string::npos);
}

TEST(MessageCheck, UnknownMessageTypeIsRejectedNamingMsh9) {
  std::string text = testing::ormMessage("C1");
  text.replace(text.find("ORM^O01"), 7, "SIU^S12");
  CheckedMessage checked = check(text);
  ASSERT_FALSE(checked.accepted);
  EXPECT_EQ(checked.refusal, AckClass::Reject);
  EXPECT_EQ(checked.error.code, Hl7ErrorCode::UnsupportedMessageType);
  EXPECT_EQ(checked.error.location.field, 9u);
  EXPECT_NE(checked.error.text.find("SIU^S12"), std::string::npos);
}

TEST(MessageCheck, EmptyControlIdIsAnErrorNamingMsh10) {
  CheckedMessage checked = check(testing::ormMessage(""));
  ASSERT_FALSE(checked.accepted);
  EXPECT_EQ(checked.refusal, AckClass::Error);
  EXPECT_EQ(checked.error.code, Hl7ErrorCode::RequiredFieldMissing);
  EXPECT_EQ(checked.error.location.field, 10u);
}

TEST(MessageCheck, OrderWithoutObrIsAnErrorNamingTheSegment) {
  std::string text = testing::ormMessage("C1");
  text.erase(text.find("\rOBR|"));
  text += "\r";
  CheckedMessage checked = check(text);
  ASSERT_FALSE(checked.accepted);
  EXPECT_EQ(checked.refusal, AckClass::Error);
  EXPECT_EQ(checked.error.location.segment_id, "OBR");
}

TEST(MessageCheck, MergeNeedsItsMrgSegment) {
  EXPECT_TRUE(check(testing::adtA40Message(true)).accepted);
  CheckedMessage checked = check(testing::adtA40Message(false));
  ASSERT_FALSE(checked.accepted);
  EXPECT_EQ(checked.error.location.segment_id, "MRG");
}

}  // namespace
}  // namespace sundial::engine
