#include "adapters/dicom/send_store_status.h"

#include <gtest/gtest.h>

namespace sundial::adapters::dicom {
namespace {

TEST(SendStoreStatus, SuccessAndWarningsAreSuccesses) {
  for (std::uint16_t status : {0x0000, 0xB000, 0xB006, 0xB007}) {
    EXPECT_TRUE(storeStatusToResult(status, "A@h:1", "").ok()) << status::formatStatus(status);
  }
}

TEST(SendStoreStatus, OutOfResourcesIsResourceExhausted) {
  for (std::uint16_t status : {0xA700, 0xA7FF, 0xA710}) {
    Result<void> result = storeStatusToResult(status, "A@h:1", "ctx");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::ResourceExhausted);
  }
}

TEST(SendStoreStatus, OtherFailuresAreInvalidInputWithHexStatusAndPeer) {
  for (std::uint16_t status : {0xA900, 0xA9FF, 0xC000, 0xC123, 0x0122, 0x0211}) {
    Result<void> result = storeStatusToResult(status, "ARCHIVE@10.0.0.1:104", "ctx");
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::InvalidInput);
    EXPECT_NE(result.error().message.find(status::formatStatus(status)), std::string::npos);
    EXPECT_NE(result.error().message.find("ARCHIVE@10.0.0.1:104"), std::string::npos);
    EXPECT_EQ(result.error().context, "ctx");
  }
}

TEST(SendStoreStatus, DescribesStatusesByClass) {
  EXPECT_EQ(describeStoreStatus(0xA701), "refused: out of resources");
  EXPECT_EQ(describeStoreStatus(0xA9FE), "error: data set does not match SOP class");
  EXPECT_EQ(describeStoreStatus(0xC042), "error: cannot understand");
  EXPECT_EQ(describeStoreStatus(0x0122), "refused: SOP class not supported");
}

TEST(SendStoreStatus, FormatsStatusAsFourHexDigits) {
  EXPECT_EQ(status::formatStatus(0xA700), "0xA700");
  EXPECT_EQ(status::formatStatus(0x0001), "0x0001");
  EXPECT_EQ(status::formatStatus(0xc001), "0xC001");
}

}  // namespace
}  // namespace sundial::adapters::dicom
