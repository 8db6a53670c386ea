#include <gtest/gtest.h>

#include "adapters/dicom/dicom_status.h"
#include "adapters/dicom/receive_caller_policy.h"
#include "adapters/dicom/receive_negotiation.h"

namespace sundial::adapters::dicom {
namespace {

TEST(StoreStatusFor, MapsEveryErrorCode) {
  EXPECT_EQ(status::storeStatusFor(ErrorCode::InvalidInput), status::kCannotUnderstand);
  EXPECT_EQ(status::storeStatusFor(ErrorCode::ResourceExhausted), status::kOutOfResources);
  EXPECT_EQ(status::storeStatusFor(ErrorCode::Unavailable), status::kOutOfResources);
  EXPECT_EQ(status::storeStatusFor(ErrorCode::Timeout), status::kOutOfResources);
  for (ErrorCode code : {ErrorCode::NotFound, ErrorCode::Duplicate, ErrorCode::Rejected,
                         ErrorCode::RuleFailed, ErrorCode::Internal}) {
    EXPECT_EQ(status::storeStatusFor(code), status::kProcessingFailure);
  }
  EXPECT_EQ(status::kOutOfResources, 0xA700);
  EXPECT_EQ(status::kCannotUnderstand, 0xC000);
}

TEST(StoreStatusFor, FormatsAsHex) {
  EXPECT_EQ(status::formatStatus(0xA700), "0xA700");
  EXPECT_EQ(status::formatStatus(0), "0x0000");
}

TEST(ChooseTransferSyntax, TakesTheProposersFirstAcceptedSyntax) {
  EXPECT_EQ(chooseTransferSyntax({"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.1"}),
            "1.2.840.10008.1.2.4.80");
  EXPECT_EQ(chooseTransferSyntax({"1.2.840.10008.1.2", "1.2.840.10008.1.2.4.90"}),
            "1.2.840.10008.1.2");
  EXPECT_EQ(chooseTransferSyntax({"1.2.3.4", "1.2.840.10008.1.2.5"}), "1.2.840.10008.1.2.5");
  EXPECT_EQ(chooseTransferSyntax({"1.2.3.4"}), std::nullopt);
  EXPECT_EQ(chooseTransferSyntax({}), std::nullopt);
}

TEST(ChooseTransferSyntax, AcceptsEveryListedSyntax) {
  for (const char* uid :
       {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57",
        "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81",
        "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.5",
        "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2",
        "1.2.840.10008.1.2"}) {
    EXPECT_TRUE(isAcceptedTransferSyntax(uid)) << uid;
  }
}

TEST(AbstractSyntax, AcceptsVerificationAndStorageOnly) {
  EXPECT_TRUE(isAcceptedAbstractSyntax("1.2.840.10008.1.1"));            // Verification
  EXPECT_TRUE(isAcceptedAbstractSyntax("1.2.840.10008.5.1.4.1.1.2"));    // CT
  EXPECT_TRUE(isAcceptedAbstractSyntax("1.2.840.10008.5.1.4.1.1.4"));    // MR
  EXPECT_TRUE(isAcceptedAbstractSyntax("1.2.840.10008.5.1.4.1.1.88.22"));  // Enhanced SR
  EXPECT_FALSE(isAcceptedAbstractSyntax("1.2.840.10008.5.1.4.1.2.2.1"));  // Q/R Find
  EXPECT_FALSE(isAcceptedAbstractSyntax("1.2.3"));
}

std::shared_ptr<const config::Config> twoSites() {
  auto config = std::make_shared<config::Config>();
  config::SiteConfig north;
  north.name = "NORTH";
  north.callers.push_back({"CT_NORTH", {"10.1.0.0/16"}});
  north.callers.push_back({"SHARED", {"10.1.2.3"}});
  config::SiteConfig south;
  south.name = "SOUTH";
  south.callers.push_back({"SHARED", {"192.168.7.0/24", "::1"}});
  config->sites = {north, south};
  return config;
}

TEST(SiteCallerPolicy, FindsSiteByAeTitleAndAddress) {
  CallerPolicy policy = makeSiteCallerPolicy(twoSites());
  std::string reason;
  EXPECT_EQ(policy("CT_NORTH", "10.1.200.4", "SUNDIAL", reason), "NORTH");
  EXPECT_EQ(policy("SHARED", "10.1.2.3", "SUNDIAL", reason), "NORTH");
  EXPECT_EQ(policy("SHARED", "192.168.7.40", "SUNDIAL", reason), "SOUTH");
  EXPECT_EQ(policy("SHARED", "::1", "SUNDIAL", reason), "SOUTH");
  EXPECT_EQ(policy("SHARED", "::ffff:10.1.2.3", "SUNDIAL", reason), "NORTH");
}

TEST(SiteCallerPolicy, RefusesUnknownAeTitleWithReason) {
  CallerPolicy policy = makeSiteCallerPolicy(twoSites());
  std::string reason;
  EXPECT_EQ(policy("STRANGER", "10.1.2.3", "SUNDIAL", reason), std::nullopt);
  EXPECT_NE(reason.find("not configured"), std::string::npos);
}

TEST(SiteCallerPolicy, RefusesKnownAeTitleFromWrongAddress) {
  CallerPolicy policy = makeSiteCallerPolicy(twoSites());
  std::string reason;
  EXPECT_EQ(policy("CT_NORTH", "10.2.0.1", "SUNDIAL", reason), std::nullopt);
  EXPECT_NE(reason.find("address"), std::string::npos);
}

TEST(SiteCallerPolicy, ReadsTheCurrentSnapshot) {
  std::shared_ptr<const config::Config> current = twoSites();
  CallerPolicy policy = makeSiteCallerPolicy([&current] { return current; });
  std::string reason;
  EXPECT_EQ(policy("CT_NORTH", "10.1.0.9", "SUNDIAL", reason), "NORTH");
  current = std::make_shared<config::Config>();
  EXPECT_EQ(policy("CT_NORTH", "10.1.0.9", "SUNDIAL", reason), std::nullopt);
}

}  // namespace
}  // namespace sundial::adapters::dicom
