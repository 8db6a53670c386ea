#include "hl7/mllp/codec.h"

#include <gtest/gtest.h>

namespace sundial::hl7::mllp {
namespace {

constexpr std::string_view kOne = "MSH|^~\\&|A|B|C|D|1||ORM^O01|C1|P|2.5\rPID|1\r";
constexpr std::string_view kTwo = "MSH|^~\\&|A|B|C|D|1||ORM^O01|C2|P|2.5\rPID|2\r";

TEST(FrameMessage, WrapsInVtAndFsCr) {
  EXPECT_EQ(frameMessage("abc"), std::string("\x0b" "abc\x1c\r"));
}

TEST(FrameDecoder, OneChunkOneMessage) {
  FrameDecoder decoder(1024);
  const std::vector<Frame> frames = decoder.feed(frameMessage(kOne));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].kind, FrameKind::Message);
  EXPECT_EQ(frames[0].text, kOne);
  EXPECT_EQ(frames[0].garbage_before, 0u);
  EXPECT_FALSE(decoder.inFrame());
}

TEST(FrameDecoder, ByteByByte) {
  FrameDecoder decoder(1024);
  const std::string stream = frameMessage(kOne) + frameMessage(kTwo);
  std::vector<Frame> frames;
  for (char c : stream) {
    for (Frame& frame : decoder.feed(std::string_view(&c, 1))) frames.push_back(std::move(frame));
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].text, kOne);
  EXPECT_EQ(frames[1].text, kTwo);
  EXPECT_EQ(decoder.totalGarbage(), 0u);
}

TEST(FrameDecoder, SeveralMessagesInOneChunk) {
  FrameDecoder decoder(1024);
  const std::vector<Frame> frames =
      decoder.feed(frameMessage(kOne) + frameMessage(kTwo) + frameMessage(kOne));
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2].text, kOne);
}

TEST(FrameDecoder, SplitAcrossChunksAnywhere) {
  const std::string stream = frameMessage(kOne) + frameMessage(kTwo);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    FrameDecoder decoder(1024);
    std::vector<Frame> frames = decoder.feed(std::string_view(stream).substr(0, cut));
    for (Frame& frame : decoder.feed(std::string_view(stream).substr(cut))) {
      frames.push_back(std::move(frame));
    }
    ASSERT_EQ(frames.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(frames[0].text, kOne);
    EXPECT_EQ(frames[1].text, kTwo);
  }
}

TEST(FrameDecoder, GarbageBeforeStartIsSkippedAndCounted) {
  FrameDecoder decoder(1024);
  EXPECT_TRUE(decoder.feed("hello\r\n").empty());
  EXPECT_EQ(decoder.pendingGarbage(), 7u);
  const std::vector<Frame> frames = decoder.feed("xx" + frameMessage(kOne));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].garbage_before, 9u);
  EXPECT_EQ(frames[0].text, kOne);
  EXPECT_EQ(decoder.pendingGarbage(), 0u);
  EXPECT_EQ(decoder.totalGarbage(), 9u);
}

TEST(FrameDecoder, ToleratesAMissingCrAfterFs) {
  FrameDecoder decoder(1024);
  const std::vector<Frame> frames =
      decoder.feed("\x0b" + std::string(kOne) + "\x1c" + frameMessage(kTwo));
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].text, kTwo);
  EXPECT_EQ(decoder.totalGarbage(), 0u);
}

TEST(FrameDecoder, OversizeIsReportedWithItsStartThenDiscarded) {
  FrameDecoder decoder(100);
  const std::string big = std::string(kOne) + std::string(500, 'x');
  std::vector<Frame> frames = decoder.feed(frameMessage(big).substr(0, 300));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].kind, FrameKind::TooLarge);
  EXPECT_EQ(frames[0].text, big.substr(0, 100));
  EXPECT_TRUE(decoder.inFrame());
  frames = decoder.feed(frameMessage(big).substr(300) + frameMessage(kTwo));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].kind, FrameKind::Message);
  EXPECT_EQ(frames[0].text, kTwo);
}

TEST(FrameDecoder, ExactlyMaxSizeIsAccepted) {
  FrameDecoder decoder(kOne.size());
  const std::vector<Frame> frames = decoder.feed(frameMessage(kOne));
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].kind, FrameKind::Message);
}

TEST(FrameDecoder, OversizeByteByByte) {
  FrameDecoder decoder(10);
  const std::string stream = frameMessage(std::string(50, 'y')) + frameMessage("ok");
  std::vector<Frame> frames;
  for (char c : stream) {
    for (Frame& frame : decoder.feed(std::string_view(&c, 1))) frames.push_back(std::move(frame));
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].kind, FrameKind::TooLarge);
  EXPECT_EQ(frames[0].text, std::string(10, 'y'));
  EXPECT_EQ(frames[1].text, "ok");
}

TEST(FrameDecoder, AFrameWithoutItsEndStaysOpen) {
  FrameDecoder decoder(1024);
  EXPECT_TRUE(decoder.feed("\x0b" + std::string(kOne)).empty());
  EXPECT_TRUE(decoder.inFrame());
  EXPECT_EQ(decoder.bufferedBytes(), kOne.size());
  EXPECT_EQ(decoder.openFrame(), kOne);
}

TEST(FrameDecoder, KeepsTheStartOfGarbageUntilTheNextFrame) {
  FrameDecoder decoder(1024);
  EXPECT_TRUE(decoder.feed(std::string(kOne).substr(0, 10)).empty());
  EXPECT_TRUE(decoder.feed(std::string(kOne).substr(10)).empty());
  EXPECT_EQ(decoder.garbagePrefix(), kOne);
  EXPECT_TRUE(decoder.openFrame().empty());
  EXPECT_EQ(decoder.feed(frameMessage(kTwo)).size(), 1u);
  EXPECT_TRUE(decoder.garbagePrefix().empty());
}

TEST(FrameDecoder, GarbagePrefixIsBounded) {
  FrameDecoder decoder(1 << 20);
  EXPECT_TRUE(decoder.feed(std::string(3 * kOversizePrefixBytes, 'g')).empty());
  EXPECT_EQ(decoder.garbagePrefix().size(), kOversizePrefixBytes);
  EXPECT_EQ(decoder.pendingGarbage(), 3 * kOversizePrefixBytes);
}

}  // namespace
}  // namespace sundial::hl7::mllp
