#include "hl7/message/charset.h"

#include <gtest/gtest.h>

namespace sundial::hl7 {
namespace {

TEST(CharsetFromName, KnowsTheMsh18Names) {
  EXPECT_EQ(charsetFromName(""), Charset::Unspecified);
  EXPECT_EQ(charsetFromName("ASCII"), Charset::Ascii);
  EXPECT_EQ(charsetFromName("8859/1"), Charset::Latin1);
  EXPECT_EQ(charsetFromName("UNICODE UTF-8"), Charset::Utf8);
  EXPECT_EQ(charsetFromName("utf-8"), Charset::Utf8);
  EXPECT_EQ(charsetFromName("8859/2"), Charset::Other);
}

TEST(ToUtf8, Latin1BytesBecomeUtf8) {
  EXPECT_EQ(toUtf8("M\xFCller \xC7\xC3O", Charset::Latin1), "M\xC3\xBCller \xC3\x87\xC3\x83O");
}

TEST(ToUtf8, Utf8MislabelledLatin1IsKept) {
  // dcm4che's OMI^O23 says 8859/1 but carries a UTF-8 en dash.
  EXPECT_EQ(toUtf8("12\xE2\x80\x93" "35", Charset::Latin1), "12\xE2\x80\x93" "35");
}

TEST(ToUtf8, UnlabelledTextIsUtf8WhenValidElseLatin1) {
  EXPECT_EQ(toUtf8("Jos\xC3\xA9", Charset::Unspecified), "Jos\xC3\xA9");
  EXPECT_EQ(toUtf8("Jos\xE9", Charset::Unspecified), "Jos\xC3\xA9");
}

TEST(ToUtf8, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(toUtf8("a\xFF" "b", Charset::Utf8), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(toUtf8("\xED\xA0\x80", Charset::Utf8), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(toUtf8("\xC3", Charset::Utf8), "\xEF\xBF\xBD");
}

TEST(FromUtf8, WritesLatin1AndMarksWhatItCannotHold) {
  EXPECT_EQ(fromUtf8("M\xC3\xBCller \xE2\x80\x93", Charset::Latin1), "M\xFCller ?");
  EXPECT_EQ(fromUtf8("M\xC3\xBCller", Charset::Ascii), "M?ller");
  EXPECT_EQ(fromUtf8("M\xC3\xBCller", Charset::Utf8), "M\xC3\xBCller");
}

}  // namespace
}  // namespace sundial::hl7
