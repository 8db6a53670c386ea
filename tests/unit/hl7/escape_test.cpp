#include "hl7/message/escape.h"

#include <gtest/gtest.h>

namespace sundial::hl7 {
namespace {

TEST(DecodeEscapes, DelimiterSequencesBecomeTheMessagesDelimiters) {
  EXPECT_EQ(decodeEscapes(R"(a\F\b\S\c\T\d\R\e\E\f)", kDefaultDelimiters), R"(a|b^c&d~e\f)");
}

TEST(DecodeEscapes, UsesTheMessagesOwnDelimiters) {
  const Delimiters custom{'#', '!', '@', '%', '*', '\0'};
  EXPECT_EQ(decodeEscapes("a%F%b%S%c%T%d%R%e%E%f", custom), "a#b!c*d@e%f");
}

TEST(DecodeEscapes, TruncationOnlyWhenTheMessageDeclaresIt) {
  Delimiters with_truncation = kDefaultDelimiters;
  with_truncation.truncation = '#';
  EXPECT_EQ(decodeEscapes(R"(a\P\b)", with_truncation), "a#b");
  EXPECT_EQ(decodeEscapes(R"(a\P\b)", kDefaultDelimiters), R"(a\P\b)");
}

TEST(DecodeEscapes, HexSpellsBytes) {
  EXPECT_EQ(decodeEscapes(R"(OPERA\XC7\\XC3\O)", kDefaultDelimiters), "OPERA\xC7\xC3O");
  EXPECT_EQ(decodeEscapes(R"(\X0D0A\)", kDefaultDelimiters), "\r\n");
  EXPECT_EQ(decodeEscapes(R"(\X41424344\)", kDefaultDelimiters), "ABCD");
}

TEST(DecodeEscapes, BadHexIsKeptVerbatim) {
  EXPECT_EQ(decodeEscapes(R"(\XZZ\)", kDefaultDelimiters), R"(\XZZ\)");
  EXPECT_EQ(decodeEscapes(R"(\X4\)", kDefaultDelimiters), R"(\X4\)");
  EXPECT_EQ(decodeEscapes(R"(\X\)", kDefaultDelimiters), R"(\X\)");
}

TEST(DecodeEscapes, LineBreakBecomesLineFeed) {
  EXPECT_EQ(decodeEscapes(R"(one\.br\two)", kDefaultDelimiters), "one\ntwo");
}

TEST(DecodeEscapes, OtherSequencesAreKept) {
  EXPECT_EQ(decodeEscapes(R"(\H\bold\N\ \.sp2\ \C2842\ \Zvendor\)", kDefaultDelimiters),
            R"(\H\bold\N\ \.sp2\ \C2842\ \Zvendor\)");
}

TEST(DecodeEscapes, UnclosedAndEmptyEscapesAreKept) {
  EXPECT_EQ(decodeEscapes(R"(C:\temp)", kDefaultDelimiters), R"(C:\temp)");
  EXPECT_EQ(decodeEscapes(R"(a\\b)", kDefaultDelimiters), R"(a\\b)");
  EXPECT_EQ(decodeEscapes(R"(\)", kDefaultDelimiters), R"(\)");
}

TEST(EncodeEscapes, EveryDelimiterIsEscaped) {
  EXPECT_EQ(encodeEscapes(R"(a|b^c&d~e\f)", kDefaultDelimiters), R"(a\F\b\S\c\T\d\R\e\E\f)");
}

TEST(EncodeEscapes, LineBreaks) {
  EXPECT_EQ(encodeEscapes("one\ntwo\r\nthree\rfour", kDefaultDelimiters),
            R"(one\.br\two\.br\three\X0D\four)");
}

TEST(EncodeEscapes, RoundTripsThroughDecode) {
  const std::string text = "x|y^z&w~v\\u\nline #hash";
  Delimiters d = kDefaultDelimiters;
  d.truncation = '#';
  EXPECT_EQ(decodeEscapes(encodeEscapes(text, d), d), text);
  const Delimiters custom{'#', '!', '@', '%', '*', '\0'};
  EXPECT_EQ(decodeEscapes(encodeEscapes(text, custom), custom), text);
}

}  // namespace
}  // namespace sundial::hl7
