// What the receiver checks in a received instance's header before it answers.
#include "adapters/dicom/receive_header_check.h"

#include <gtest/gtest.h>

namespace sundial::adapters::dicom {
namespace {

DicomHeader goodHeader() {
  DicomHeader header;
  header.study_uid = "1.2.3";
  header.series_uid = "1.2.3.4";
  header.sop_instance_uid = "1.2.3.4.5";
  header.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
  header.transfer_syntax_uid = "1.2.840.10008.1.2.1";
  return header;
}

TEST(CheckReceivedUids, AcceptsAHeaderThatMatchesTheRequest) {
  EXPECT_FALSE(checkReceivedUids(goodHeader(), "1.2.3.4.5", "1.2.840.10008.5.1.4.1.1.2"));
}

TEST(CheckReceivedUids, NamesTheMissingOrInvalidUid) {
  DicomHeader missing = goodHeader();
  missing.series_uid.clear();
  auto problem = checkReceivedUids(missing, "1.2.3.4.5", "1.2.840.10008.5.1.4.1.1.2");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->refusal, InstanceRefusal::MissingUid);
  EXPECT_EQ(problem->detail, "no Series Instance UID");

  // A study UID that would climb out of the spool folder is not a UID.
  DicomHeader climbing = goodHeader();
  climbing.study_uid = "../../etc";
  problem = checkReceivedUids(climbing, "1.2.3.4.5", "1.2.840.10008.5.1.4.1.1.2");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->refusal, InstanceRefusal::InvalidUid);
}

TEST(CheckReceivedUids, RefusesADataSetThatIsNotTheOneRequested) {
  auto problem = checkReceivedUids(goodHeader(), "1.2.3.4.6", "1.2.840.10008.5.1.4.1.1.2");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->refusal, InstanceRefusal::UidMismatch);
  problem = checkReceivedUids(goodHeader(), "1.2.3.4.5", "1.2.840.10008.5.1.4.1.1.4");
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->refusal, InstanceRefusal::UidMismatch);
}

TEST(BusSafeModality, KeepsOnlyCodeStringCharacters) {
  EXPECT_EQ(busSafeModality("CT"), "CT");
  EXPECT_EQ(busSafeModality(std::string("M\x1fR\0x/\\", 7)), "MR");
  EXPECT_EQ(busSafeModality("OT_2 "), "OT_2 ");
}

}  // namespace
}  // namespace sundial::adapters::dicom
