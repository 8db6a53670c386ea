#include "adapters/dicom/dicom_text_utf8.h"

#include <gtest/gtest.h>

#include "engine/domain/utf8.h"

namespace sundial::adapters::dicom {
namespace {

TEST(Utf8ValidityTest, AcceptsUtf8AndRefusesWhatIsNot) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("DOE^JOHN"));
  EXPECT_TRUE(isValidUtf8("Äneas^Rüdiger"));
  EXPECT_TRUE(isValidUtf8("山田^太郎"));
  EXPECT_TRUE(isValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600, four bytes
  EXPECT_FALSE(isValidUtf8("M\xDCLLER"));         // ISO 8859-1
  EXPECT_FALSE(isValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(isValidUtf8("\xE5\xB1"));          // truncated three-byte form
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\x80"));              // a lone continuation byte
}

TEST(TextToUtf8Test, WithoutADatasetTextIsPassedThroughOrCleaned) {
  TextToUtf8 utf8(nullptr);
  EXPECT_EQ(utf8.convert("CHEST^PA"), "CHEST^PA");
  EXPECT_EQ(utf8.convert("Rüdiger"), "Rüdiger");
  EXPECT_EQ(utf8.convert("R\xFC" "diger"), "R?diger");
  EXPECT_EQ(utf8.convert("A\x1b$BB"), "A?$BB");  // an escape sequence with no ISO 2022 set
}

}  // namespace
}  // namespace sundial::adapters::dicom
