// The mapping from a site's acknowledgement code to what the report sender does next.
#include <gtest/gtest.h>

#include "engine/app/mllp_report_transport.h"

namespace sundial::app {
namespace {

TEST(SiteAnswer, AcceptsErrorsAndRejectsInBothAckModes) {
  EXPECT_EQ(siteAnswerFor(hl7::AckCode::ApplicationAccept), engine::SiteAnswer::Accepted);  // AA
  EXPECT_EQ(siteAnswerFor(hl7::AckCode::CommitAccept), engine::SiteAnswer::Accepted);       // CA
  EXPECT_EQ(siteAnswerFor(hl7::AckCode::ApplicationError), engine::SiteAnswer::Error);      // AE
  EXPECT_EQ(siteAnswerFor(hl7::AckCode::CommitError), engine::SiteAnswer::Error);           // CE
  EXPECT_EQ(siteAnswerFor(hl7::AckCode::ApplicationReject), engine::SiteAnswer::Rejected);  // AR
  EXPECT_EQ(siteAnswerFor(hl7::AckCode::CommitReject), engine::SiteAnswer::Rejected);       // CR
}

}  // namespace
}  // namespace sundial::app
