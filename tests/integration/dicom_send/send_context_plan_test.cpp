#include "adapters/dicom/send_context_plan.h"

#include <gtest/gtest.h>

namespace sundial::adapters::dicom {
namespace {

constexpr const char* kCt = "1.2.840.10008.5.1.4.1.1.2";
constexpr const char* kMr = "1.2.840.10008.5.1.4.1.1.4";
constexpr const char* kJpegLsLossless = "1.2.840.10008.1.2.4.80";
constexpr const char* kJpegLossless = "1.2.840.10008.1.2.4.70";

const std::vector<std::string> kFallback = {kExplicitVrLittleEndianUid, kImplicitVrLittleEndianUid};

TEST(SendContextPlan, OffersOwnSyntaxAndUncompressedFallbackPerSopClass) {
  auto plan = planPresentationContexts({{kCt, kJpegLsLossless}, {kMr, kExplicitVrLittleEndianUid}});
  std::vector<ProposedContext> expected = {
      {kCt, {kJpegLsLossless}},
      {kCt, kFallback},
      {kMr, {kExplicitVrLittleEndianUid}},
      {kMr, kFallback},
  };
  EXPECT_EQ(plan, expected);
}

TEST(SendContextPlan, OneFallbackPerSopClassAndNoDuplicates) {
  auto plan = planPresentationContexts(
      {{kCt, kJpegLsLossless}, {kCt, kJpegLossless}, {kCt, kJpegLsLossless}, {kCt, ""}});
  std::vector<ProposedContext> expected = {
      {kCt, {kJpegLsLossless}}, {kCt, {kJpegLossless}}, {kCt, kFallback}};
  EXPECT_EQ(plan, expected);
}

TEST(SendContextPlan, IgnoresNeedsWithoutSopClass) {
  EXPECT_TRUE(planPresentationContexts({{"", kJpegLossless}}).empty());
}

TEST(SendContextPlan, NeverExceeds128ContextsAndKeepsFallbacks) {
  std::vector<SendSyntaxNeed> needs;
  for (int i = 0; i < 100; ++i) {
    needs.push_back({"1.2.3." + std::to_string(i), kJpegLossless});
  }
  auto plan = planPresentationContexts(needs);
  ASSERT_EQ(plan.size(), kMaxPresentationContexts);
  // 64 SOP classes fit whole; every SOP class present has its fallback.
  EXPECT_EQ(plan.back().transfer_syntax_uids, kFallback);
  EXPECT_EQ(plan.front().sop_class_uid, "1.2.3.0");
}

TEST(SendContextPlan, PartialSopClassKeepsItsFallbackWhenShort) {
  auto plan = planPresentationContexts(
      {{kCt, kJpegLossless}, {kMr, kJpegLossless}, {kMr, kJpegLsLossless}}, 4);
  std::vector<ProposedContext> expected = {
      {kCt, {kJpegLossless}}, {kCt, kFallback}, {kMr, {kJpegLossless}}, {kMr, kFallback}};
  EXPECT_EQ(plan, expected);
}

TEST(SendContextPlan, UncompressedLittleEndianSyntaxes) {
  EXPECT_TRUE(isUncompressedLittleEndian(kExplicitVrLittleEndianUid));
  EXPECT_TRUE(isUncompressedLittleEndian(kImplicitVrLittleEndianUid));
  EXPECT_FALSE(isUncompressedLittleEndian(kJpegLossless));
  EXPECT_FALSE(isUncompressedLittleEndian("1.2.840.10008.1.2.2"));  // big endian
}

}  // namespace
}  // namespace sundial::adapters::dicom
