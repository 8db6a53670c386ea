#include "hl7/mapping/adt_message.h"

#include <gtest/gtest.h>

#include "tests/unit/hl7_mapping/mapping_support.h"

namespace sundial::hl7::mapping {
namespace {

using testing::corpusMessage;
using testing::messageOf;

const UtcTime kReceived = fromEpochMs(1'795'996'800'000);
const std::string kMsh = "MSH|^~\\&|ADT|NORTH|SUNDIAL|TELERAD|20261130010000||ADT^A40|C1|P|2.5";

TEST(AdtMapping, DemographicsOfAnUpdate) {
  auto patient = mapPatientUpdate(corpusMessage("ipf_A08.hl7"), "north", kReceived);
  ASSERT_TRUE(patient.ok()) << patient.error().describe();
  EXPECT_EQ(patient->site, "north");
  EXPECT_EQ(patient->patient_id, "306567");  // the first repetition is HL7 null ("")
  EXPECT_EQ(patient->patient_name, "BEST^XML");
  EXPECT_EQ(patient->birth_date, "19470101");
  EXPECT_EQ(patient->sex, "M");
  EXPECT_EQ(patient->updated_at, kReceived);
}

TEST(AdtMapping, MergeNamesPriorAndSurvivingIds) {
  auto merges = mapPatientMerge(corpusMessage("dcm4che_ADT_A40-PatientMerge.hl7"), "north",
                                kReceived);
  ASSERT_TRUE(merges.ok()) << merges.error().describe();
  ASSERT_EQ(merges->size(), 1u);
  EXPECT_EQ(merges->front().surviving_patient_id, "NEW_PID_1");
  EXPECT_EQ(merges->front().prior_patient_id, "OLD_PID_1");
  EXPECT_EQ(merges->front().site, "north");

  auto mirth = mapPatientMerge(corpusMessage("mirth_07.hl7"), "north", kReceived);
  ASSERT_TRUE(mirth.ok()) << mirth.error().describe();
  EXPECT_EQ(mirth->front().surviving_patient_id, "1765431");
  EXPECT_EQ(mirth->front().prior_patient_id, "1765475");
}

TEST(AdtMapping, SeveralPairsAreSeveralMerges) {
  auto merges = mapPatientMerge(messageOf({kMsh, "PID|1||A1", "MRG|B1", "PID|2||A2", "MRG|B2"}),
                                "north", kReceived);
  ASSERT_TRUE(merges.ok()) << merges.error().describe();
  ASSERT_EQ(merges->size(), 2u);
  EXPECT_EQ((*merges)[1].surviving_patient_id, "A2");
  EXPECT_EQ((*merges)[1].prior_patient_id, "B2");
}

TEST(AdtMapping, BrokenMergesNameTheField) {
  auto no_mrg = mapPatientMerge(messageOf({kMsh, "PID|1||A1"}), "north", kReceived);
  ASSERT_FALSE(no_mrg.ok());
  EXPECT_NE(no_mrg.error().message.find("MRG"), std::string::npos);
  auto empty_mrg = mapPatientMerge(messageOf({kMsh, "PID|1||A1", "MRG|"}), "north", kReceived);
  ASSERT_FALSE(empty_mrg.ok());
  EXPECT_NE(empty_mrg.error().message.find("MRG-1"), std::string::npos);
  auto no_pid = mapPatientMerge(messageOf({kMsh, "PID|1||", "MRG|B1"}), "north", kReceived);
  ASSERT_FALSE(no_pid.ok());
  EXPECT_NE(no_pid.error().message.find("PID-3"), std::string::npos);
  auto same = mapPatientMerge(messageOf({kMsh, "PID|1||A1", "MRG|A1"}), "north", kReceived);
  ASSERT_FALSE(same.ok());
  EXPECT_NE(same.error().message.find("MRG-1"), std::string::npos);
}

TEST(AdtMapping, UpdateWithoutPatientIdNamesPid3) {
  auto patient = mapPatientUpdate(messageOf({kMsh, "PID|1||||Doe^Jane"}), "north", kReceived);
  ASSERT_FALSE(patient.ok());
  EXPECT_NE(patient.error().message.find("PID-3"), std::string::npos);
}

}  // namespace
}  // namespace sundial::hl7::mapping
