#include "hl7/message/split.h"

#include <gtest/gtest.h>

#include <string>

#include "hl7/message/message.h"

namespace sundial::hl7 {
namespace {

const std::string kOne = "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rPID|1||1\r";
const std::string kTwo = "MSH|^~\\&|A||||||ORU^R01|2|P|2.5\rOBR|1\rOBX|1|ST|||x\r";

TEST(SplitMessages, BackToBackMessages) {
  const std::string stream = kOne + kTwo;
  const SplitMessages split = splitMessages(stream);
  ASSERT_EQ(split.messages.size(), 2u);
  EXPECT_EQ(split.messages[0], kOne);
  EXPECT_EQ(split.messages[1], kTwo);
  EXPECT_TRUE(split.batch_segments.empty());
  EXPECT_TRUE(split.stray_lines.empty());
}

TEST(SplitMessages, BatchHeadersAndTrailersAreSetAside) {
  const std::string batch =
      "FHS|^~\\&|LAB\r\nBHS|^~\\&|LAB\r\n" + kOne + kTwo + "BTS|2\r\nFTS|1\r\n";
  const SplitMessages split = splitMessages(batch);
  ASSERT_EQ(split.messages.size(), 2u);
  EXPECT_EQ(split.messages[0], kOne);
  EXPECT_EQ(split.messages[1], kTwo);
  ASSERT_EQ(split.batch_segments.size(), 4u);
  EXPECT_EQ(split.batch_segments[0], "FHS|^~\\&|LAB");
  EXPECT_EQ(split.batch_segments[3], "FTS|1");
}

TEST(SplitMessages, MllpFramedStream) {
  const std::string stream = "\x0B" + kOne + "\x1C\r\x0B" + kTwo + "\x1C\r";
  const SplitMessages split = splitMessages(stream);
  ASSERT_EQ(split.messages.size(), 2u);
  EXPECT_EQ(split.messages[0], kOne);
  EXPECT_EQ(split.messages[1], kTwo);
  EXPECT_TRUE(split.stray_lines.empty());
}

TEST(SplitMessages, StrayLinesAreReported) {
  const std::string stream = "garbage\r\n\r\n" + kOne;
  const SplitMessages split = splitMessages(stream);
  ASSERT_EQ(split.messages.size(), 1u);
  ASSERT_EQ(split.stray_lines.size(), 1u);
  EXPECT_EQ(split.stray_lines[0], "garbage");
}

TEST(SplitMessages, EachPieceParsesAndRoundTrips) {
  const std::string stream = "\xEF\xBB\xBF" + kOne + "\n\n" + kTwo;
  const SplitMessages split = splitMessages(stream);
  ASSERT_EQ(split.messages.size(), 2u);
  for (const std::string_view piece : split.messages) {
    auto parsed = parseMessage(piece);
    ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
    EXPECT_EQ(parsed->toString(), piece);
  }
}

TEST(SplitMessages, EmptyAndBlankInput) {
  EXPECT_TRUE(splitMessages("").messages.empty());
  EXPECT_TRUE(splitMessages("\r\n\r\n").messages.empty());
  EXPECT_TRUE(splitMessages("\r\n\r\n").stray_lines.empty());
}

}  // namespace
}  // namespace sundial::hl7
