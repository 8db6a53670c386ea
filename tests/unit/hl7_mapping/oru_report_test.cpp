#include "hl7/mapping/oru_report.h"

#include <gtest/gtest.h>

#include "tests/unit/hl7_mapping/mapping_support.h"

namespace sundial::hl7::mapping {
namespace {

using testing::corpusMessage;
using testing::messageOf;
using testing::segment;

const UtcTime kReceived = fromEpochMs(1'795'996'800'000);
const std::string kMsh = "MSH|^~\\&|RPT|TELERAD|RIS|NORTH|20261130010000||ORU^R01|C1|P|2.5";
const std::string kPid = "PID|1||P123||Doe^Jane";

TEST(OruMapping, RadiologyReportFromTheCorpus) {
  auto report = mapReportMessage(corpusMessage("dcm4che_ORU_R01-SR.hl7"), "north", kReceived);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report->status, ReportStatus::Final);
  EXPECT_EQ(report->accession_number, "AccessionNumber");
  EXPECT_EQ(report->placer_order_number, "PlacerOrderNumberImagingServiceRequest");
  EXPECT_EQ(report->filler_order_number, "FillerOrderNumberImagingServiceRequest");
  EXPECT_EQ(report->patient_id, "PID_1");
  // TX/ST results in order, one line each; coded (CE) results are not report text.
  EXPECT_EQ(report->text.find("1.2.392.200036.9125.0.198811291108.7\n"), 0u);
  EXPECT_NE(report->text.find("The right kidney is slightly enlarged"), std::string::npos);
  EXPECT_EQ(report->text.find("C65.2"), std::string::npos);
  EXPECT_EQ(toEpochMs(report->observed_at), 1648150257000);  // OBR-7 20220324193057
}

TEST(OruMapping, StatusTextAndInterpreter) {
  auto report = mapReportMessage(
      messageOf({kMsh, kPid,
                 "OBR|1|PL1|FI1|CTHEAD^CT head|||20261130013000|||||||||||ACC-1||||||CT|P|||||||R1&Reader&Rita",
                 "OBX|1|TX|REPORT||Line one~Line two||||||P", "OBX|2|FT|IMPRESSION||No bleed||||||P"}),
      "north", kReceived);
  ASSERT_TRUE(report.ok()) << report.error().describe();
  EXPECT_EQ(report->status, ReportStatus::Preliminary);
  EXPECT_EQ(report->text, "Line one\nLine two\nNo bleed");
  EXPECT_EQ(report->reader_id, "R1");
  EXPECT_EQ(report->accession_number, "ACC-1");
  EXPECT_EQ(report->procedure_text, "CT head");
}

TEST(OruMapping, ResultStatusMustBeAReportStatus) {
  EXPECT_EQ(reportStatusFor("C").value(), ReportStatus::Corrected);
  auto pending = mapReportMessage(
      messageOf({kMsh, kPid, segment("OBR", {{1, "1"}, {2, "PL1"}, {3, "FI1"}, {4, "X"}, {18, "ACC"}, {24, "CT"}, {25, "I"}})}), "north", kReceived);
  ASSERT_FALSE(pending.ok());
  EXPECT_NE(pending.error().message.find("OBR-25"), std::string::npos);
  auto empty = mapReportMessage(messageOf({kMsh, kPid, "OBR|1|PL1|FI1|X"}), "north", kReceived);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("OBR-25"), std::string::npos);
}

TEST(OruMapping, MissingPiecesAreNamed) {
  auto no_obr = mapReportMessage(messageOf({kMsh, kPid}), "north", kReceived);
  ASSERT_FALSE(no_obr.ok());
  EXPECT_NE(no_obr.error().message.find("OBR"), std::string::npos);
  auto no_ids = mapReportMessage(
      messageOf({kMsh, kPid, segment("OBR", {{1, "1"}, {4, "X"}, {25, "F"}})}), "north", kReceived);
  ASSERT_FALSE(no_ids.ok());
  EXPECT_NE(no_ids.error().message.find("OBR-18"), std::string::npos);
}

}  // namespace
}  // namespace sundial::hl7::mapping
