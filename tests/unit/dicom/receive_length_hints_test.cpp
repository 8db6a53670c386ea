#include "adapters/dicom/receive_length_hints.h"

#include <gtest/gtest.h>

#include <string>

namespace sundial::adapters::dicom {
namespace {

constexpr char kCt[] = "1.2.840.10008.5.1.4.1.1.2";
constexpr char kCr[] = "1.2.840.10008.5.1.4.1.1.1";

TEST(ReceiveLengthHints, ExpectsTheLastLengthOfTheSameSopClassFromTheSameAeTitle) {
  ReceiveLengthHints hints;
  EXPECT_EQ(hints.expected("CT1", kCt), 0u);
  hints.remember("CT1", kCt, 525'000);
  hints.remember("CR1", kCr, 15'000'000);
  hints.remember("CT1", kCr, 14'000'000);  // a scout from the CT: its own entry
  EXPECT_EQ(hints.expected("CT1", kCt), 525'000u);
  EXPECT_EQ(hints.expected("CR1", kCr), 15'000'000u);
  EXPECT_EQ(hints.expected("CT1", kCr), 14'000'000u);
  EXPECT_EQ(hints.expected("CR1", kCt), 0u);
  hints.remember("CT1", kCt, 530'000);
  EXPECT_EQ(hints.expected("CT1", kCt), 530'000u);
}

// The key joins the two with a character neither may hold: "A" + "B.1" is not "AB" + ".1".
TEST(ReceiveLengthHints, KeepsAeTitleAndSopClassApart) {
  ReceiveLengthHints hints;
  hints.remember("A", "B.1", 10);
  EXPECT_EQ(hints.expected("AB", ".1"), 0u);
}

TEST(ReceiveLengthHints, StartsAfreshPastItsBound) {
  ReceiveLengthHints hints;
  for (std::size_t i = 0; i < ReceiveLengthHints::kMaxEntries; ++i) {
    hints.remember("AE" + std::to_string(i), kCt, 100 + i);
  }
  EXPECT_EQ(hints.expected("AE0", kCt), 100u);
  hints.remember("AE0", kCt, 7);  // known: an update, the table stays
  EXPECT_EQ(hints.expected("AE1", kCt), 101u);
  hints.remember("NEW", kCt, 42);  // one pair too many: the table starts afresh
  EXPECT_EQ(hints.expected("AE1", kCt), 0u);
  EXPECT_EQ(hints.expected("NEW", kCt), 42u);
}

}  // namespace
}  // namespace sundial::adapters::dicom
