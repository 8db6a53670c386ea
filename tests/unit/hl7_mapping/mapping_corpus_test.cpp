// Every order, ADT and ORU message of the shared corpus maps, or is refused with the field
// that is missing or wrong (the refusals expected are listed with the reason).

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "hl7/mapping/inbound_message.h"
#include "hl7/message/split.h"
#include "tests/unit/hl7/corpus.h"

namespace sundial::hl7::mapping {
namespace {

using sundial::hl7::testing::readCorpusFile;
using sundial::hl7::testing::readManifest;

const UtcTime kReceived = fromEpochMs(1'795'996'800'000);

// The message types this part maps, as the manifest's "type=" writes them (prefix).
bool isMappedType(const std::string& exercises) {
  for (const char* type : {"type=ORM^O01", "type=OMI^O23", "type=ADT^A01", "type=ADT^A04",
                           "type=ADT^A08", "type=ADT^A40", "type=ORU^R01"}) {
    if (exercises.rfind(type, 0) == 0) return true;
  }
  return false;
}

// Corpus messages that are refused, and the words the refusal must contain.
const std::map<std::string, std::string> kExpectedRefusals = {
    // A case notification whose OBR-25 is X (no result: order cannot be done).
    {"cdcdex_Invalid-GenV1-0-Case-Notification.hl7", "OBR-25"},
    // PID-3 empty; the ID the sender has is in PID-4 (alternate ID), which is not ours to use.
    {"hl7inspector_A01.hl7", "PID-3"},
    {"rethinkhl7_edge-empty-segments.hl7", "PID-3"},
    // Device and lab observations without a result status: not a report.
    {"ipf_valid-pcd01-MaximumRequest2.hl7", "OBR-25"},
    {"ipf_valid-pcd01-request.hl7", "OBR-25"},
    {"mirth_small.hl7", "OBR-25"},
    {"msfhirconv_LAB-ORU-2.hl7", "OBR-25"},
    // The sender shifted OBR-24/25 by one: OBR-25 holds "HM".
    {"rethinkhl7_oru-r01-lab.hl7", "OBR-25 result status 'HM'"},
    // Parser test files: an MSH and an OBX only, or no ORC.
    {"mirth_test-hl7-repetitions-input.hl7", "PID segment missing"},
    {"mirth_test-hl7-subcomponents-input.hl7", "PID segment missing"},
    {"mirth_test-hl7-whitespace-input.hl7", "ORC segment missing"},
};

TEST(MappingCorpus, EveryOrderAdtAndOruMessageMapsOrNamesWhatIsWrong) {
  int mapped = 0;
  int files = 0;
  const std::regex names_a_field("(PID|ORC|OBR|MRG|MSH|IPC|TQ1)(-[0-9]+)?");
  for (const auto& entry : readManifest()) {
    if (!isMappedType(entry.exercises) || entry.exercises.find("malformed") != std::string::npos) {
      continue;
    }
    ++files;
    const std::string text = readCorpusFile(entry.file);
    const SplitMessages split = splitMessages(text);
    ASSERT_FALSE(split.messages.empty()) << entry.file;
    for (std::string_view raw : split.messages) {
      auto change = mapInboundMessage(raw, "north", kReceived);
      auto expected = kExpectedRefusals.find(entry.file);
      if (change.ok()) {
        EXPECT_EQ(expected, kExpectedRefusals.end()) << entry.file << " was expected to be refused";
        EXPECT_FALSE(std::holds_alternative<IgnoredMessage>(change.value())) << entry.file;
        ++mapped;
        continue;
      }
      const std::string why = change.error().describe();
      EXPECT_EQ(change.error().code, ErrorCode::InvalidInput) << entry.file << ": " << why;
      EXPECT_TRUE(std::regex_search(why, names_a_field)) << entry.file << ": " << why;
      if (expected == kExpectedRefusals.end()) {
        ADD_FAILURE() << entry.file << " refused: " << why;
        continue;
      }
      EXPECT_NE(why.find(expected->second), std::string::npos) << entry.file << ": " << why;
    }
  }
  std::printf("corpus: %d files, %d messages mapped\n", files, mapped);
  EXPECT_GE(files, 50);
}

TEST(MappingCorpus, OtherAdtEventsAreIgnoredAndOtherTypesRefused) {
  auto discharge = mapInboundMessage(readCorpusFile("hapi_adt_a03.hl7"), "north", kReceived);
  ASSERT_TRUE(discharge.ok()) << discharge.error().describe();
  EXPECT_TRUE(std::holds_alternative<IgnoredMessage>(discharge.value()));

  auto booking = mapInboundMessage(
      splitMessages(readCorpusFile("dcm4che_SIU_S12-NewAppointmentBooking.hl7")).messages.at(0),
      "north", kReceived);
  ASSERT_FALSE(booking.ok());
  EXPECT_NE(booking.error().message.find("MSH-9"), std::string::npos);
  EXPECT_NE(booking.error().message.find("SIU^S12"), std::string::npos);
}

TEST(MappingCorpus, EachTypeLandsInItsChange) {
  auto first = [](const std::string& file) {
    return mapInboundMessage(splitMessages(readCorpusFile(file)).messages.at(0), "north",
                             kReceived);
  };
  auto order = first("dcm4che_OMI_O23-ImagingOrder.hl7");
  ASSERT_TRUE(order.ok());
  EXPECT_TRUE(std::holds_alternative<OrdersChange>(order.value()));
  auto adt = first("msfhirconv_ADT-A04-01.hl7");
  ASSERT_TRUE(adt.ok()) << adt.error().describe();
  EXPECT_TRUE(std::holds_alternative<PatientChange>(adt.value()));
  auto merge = first("ipf_A40.hl7");
  ASSERT_TRUE(merge.ok()) << merge.error().describe();
  ASSERT_TRUE(std::holds_alternative<MergeChange>(merge.value()));
  EXPECT_EQ(std::get<MergeChange>(merge.value()).merges.at(0).prior_patient_id, "704686");
  auto report = first("dcm4che_ORU_R01-SR.hl7");
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(std::holds_alternative<ReportChange>(report.value()));
}

}  // namespace
}  // namespace sundial::hl7::mapping
