#include "engine/hl7_ingest/sender_directory.h"

#include <gtest/gtest.h>

#include "tests/unit/hl7_ingest/test_messages.h"

namespace sundial::engine {
namespace {

TEST(SenderDirectory, FindsTheSiteByApplicationAndFacility) {
  SenderDirectory senders(testing::twoSites());
  EXPECT_EQ(senders.siteFor("RIS", "DEMO_HOSP"), "DEMO");
  EXPECT_EQ(senders.siteFor("ANY", "NORTH"), "NORTH");
  EXPECT_EQ(senders.siteFor("EHR", "DEMO_ER"), "DEMO");
}

TEST(SenderDirectory, UnknownSenderBelongsToNoSite) {
  SenderDirectory senders(testing::twoSites());
  EXPECT_EQ(senders.siteFor("EHR", "DEMO_HOSP"), std::nullopt);  // wrong application
  EXPECT_EQ(senders.siteFor("RIS", "SOUTH"), std::nullopt);
  EXPECT_EQ(senders.siteFor("RIS", "demo_hosp"), std::nullopt);  // codes compare exactly
}

TEST(SenderDirectory, ExactEntryWinsOverAFacilityWildcardOfAnotherSite) {
  config::SiteConfig catch_all;
  catch_all.name = "CATCHALL";
  catch_all.hl7.senders = {{"", "SHARED"}};
  config::SiteConfig specific;
  specific.name = "SPECIFIC";
  specific.hl7.senders = {{"LAB", "SHARED"}};
  SenderDirectory senders({catch_all, specific});
  EXPECT_EQ(senders.siteFor("LAB", "SHARED"), "SPECIFIC");
  EXPECT_EQ(senders.siteFor("RIS", "SHARED"), "CATCHALL");
}

}  // namespace
}  // namespace sundial::engine
