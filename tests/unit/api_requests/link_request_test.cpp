// Reading a manual link's path and body.
#include "engine/app/link_request.h"

#include <gtest/gtest.h>

namespace sundial::app {
namespace {

TEST(LinkRequestFrom, ByAccessionOrByOrderKey) {
  auto by_accession = linkRequestFrom("1.2.840.1/link", R"({"accession_number":"A1"})");
  ASSERT_TRUE(by_accession);
  EXPECT_TRUE(by_accession->by_accession);
  EXPECT_EQ(by_accession->study_uid, "1.2.840.1");
  EXPECT_EQ(by_accession->accession_number, "A1");
  auto by_key = linkRequestFrom("1.2.840.1/link", R"({"order":""})");
  ASSERT_TRUE(by_key);
  EXPECT_FALSE(by_key->by_accession);  // an empty key is still a key, not an accession
  EXPECT_EQ(by_key->order_key, "");
}

TEST(LinkRequestFrom, RefusesOtherShapes) {
  EXPECT_EQ(linkRequestFrom("1.2.840.1", "{}").error().code, ErrorCode::NotFound);
  EXPECT_EQ(linkRequestFrom("/link", "{}").error().code, ErrorCode::NotFound);
  EXPECT_EQ(linkRequestFrom("1..2/link", R"({"order":"k"})").error().code, ErrorCode::InvalidInput);
  EXPECT_EQ(linkRequestFrom("1.2/link", "").error().code, ErrorCode::InvalidInput);
  EXPECT_EQ(linkRequestFrom("1.2/link", R"({"order":"k","accession_number":"A"})").error().code,
            ErrorCode::InvalidInput);
  EXPECT_EQ(linkRequestFrom("1.2/link", R"({"order":5})").error().code, ErrorCode::InvalidInput);
}

}  // namespace
}  // namespace sundial::app
