#include "hl7/message/segments.h"

#include <gtest/gtest.h>

#include "tests/unit/hl7/corpus.h"

namespace sundial::hl7 {
namespace {

Message corpusMessage(const std::string& name) {
  auto parsed = parseMessage(testing::readCorpusFile(name));
  EXPECT_TRUE(parsed.ok()) << name << ": " << (parsed.ok() ? "" : parsed.error().describe());
  if (!parsed.ok()) std::abort();
  return std::move(parsed).value();
}

TEST(TypedSegments, OrmOrderFromMirth) {
  const Message m = corpusMessage("mirth_test-hl7-input.hl7");
  const MessageHeader h = readMessageHeader(m);
  EXPECT_EQ(h.sending_application, "MIRTH");
  EXPECT_EQ(h.sending_facility, "MIRTH");
  EXPECT_EQ(h.message_code, "ORM");
  EXPECT_EQ(h.trigger_event, "O01");
  EXPECT_EQ(h.message_structure, "");
  EXPECT_EQ(h.control_id, "12345678");
  EXPECT_EQ(h.processing_id, "P");
  EXPECT_EQ(h.version, "2.4");
  EXPECT_EQ(h.accept_ack_type, "AL");
  EXPECT_EQ(h.application_ack_type, "NE");

  const auto pid = readPatientIdentification(m, *m.findSegment("PID"));
  ASSERT_TRUE(pid);
  EXPECT_EQ(pid->external_id, "4223161584");
  ASSERT_EQ(pid->identifiers.size(), 1u);
  EXPECT_EQ(pid->identifiers[0].id, "4223161584");
  EXPECT_EQ(pid->name.family, "Hanso");
  EXPECT_EQ(pid->name.given, "Alvar");
  EXPECT_EQ(pid->birth_date, "Aug 15, 1942");
  EXPECT_EQ(pid->sex, "M");

  const auto pv1 = readPatientVisit(m, *m.findSegment("PV1"));
  ASSERT_TRUE(pv1);
  EXPECT_EQ(pv1->patient_class, "O");
  EXPECT_EQ(pv1->assigned_location.point_of_care, "Mirth Corporation");
  EXPECT_EQ(pv1->attending.id, "ShephardJ");
  EXPECT_EQ(pv1->attending.name.family, "Shephard");
  EXPECT_EQ(pv1->attending.name.given, "Jack");
  EXPECT_EQ(pv1->referring.name.family, "Burke");

  const auto orc = readCommonOrder(m, *m.findSegment("ORC"));
  ASSERT_TRUE(orc);
  EXPECT_EQ(orc->order_control, "XO");
  EXPECT_EQ(orc->placer_order_number.id, "801887.001");
  EXPECT_EQ(orc->order_status, "R");

  const auto obr = readObservationRequest(m, *m.findSegment("OBR"));
  ASSERT_TRUE(obr);
  EXPECT_EQ(obr->placer_order_number.id, "801887.001");
  EXPECT_EQ(obr->universal_service_id.identifier, "MRS");
  EXPECT_EQ(obr->universal_service_id.text, "Shephard");
  EXPECT_EQ(obr->requested_date_time, "200612131230");
  EXPECT_EQ(obr->priority, "R");  // OBR-27.6, OBR-5 being empty
  EXPECT_EQ(obr->placer_field_1, "MR");
  EXPECT_EQ(findAccessionNumber(m), "MR");

  const auto obx = m.findSegments("OBX");
  ASSERT_EQ(obx.size(), 17u);
  const auto sodium = readObservation(m, obx[0]);
  ASSERT_TRUE(sodium);
  EXPECT_EQ(sodium->value_type, "NM");
  EXPECT_EQ(sodium->identifier.identifier, "84295");
  EXPECT_EQ(sodium->identifier.text, "SODIUM");
  EXPECT_EQ(sodium->value, "145");
  EXPECT_EQ(sodium->units, "mmol/L");
  EXPECT_EQ(sodium->result_status, "F");
}

TEST(TypedSegments, ReaderRefusesAnotherSegment) {
  const Message m = corpusMessage("mirth_test-hl7-input.hl7");
  EXPECT_FALSE(readPatientIdentification(m, 0));
  EXPECT_FALSE(readObservation(m, 1));
  EXPECT_FALSE(readNote(m, 999));
}

TEST(TypedSegments, OmiImagingOrderFromDcm4che) {
  const Message m = corpusMessage("dcm4che_OMI_O23-ImagingOrder.hl7");
  const MessageHeader h = readMessageHeader(m);
  EXPECT_EQ(h.message_code, "OMI");
  EXPECT_EQ(h.trigger_event, "O23");
  EXPECT_EQ(h.message_structure, "OMI_O23");
  EXPECT_EQ(h.charset, "8859/1");
  EXPECT_EQ(m.charset(), Charset::Latin1);

  const auto pid = readPatientIdentification(m, *m.findSegment("PID"));
  ASSERT_TRUE(pid);
  ASSERT_EQ(pid->identifiers.size(), 1u);
  EXPECT_EQ(pid->identifiers[0].id, "PID_1");
  EXPECT_EQ(pid->identifiers[0].assigning_authority, "ADT1");
  EXPECT_EQ(pid->name.family, "Smith");
  EXPECT_EQ(pid->name.middle, "Mark");
  EXPECT_EQ(pid->birth_date, "20141014");
  EXPECT_EQ(pid->sex, "F");

  const auto orc = readCommonOrder(m, *m.findSegment("ORC"));
  ASSERT_TRUE(orc);
  EXPECT_EQ(orc->order_control, "NW");
  EXPECT_EQ(orc->placer_order_number.id, "PlacerOrderNumberImagingServiceRequest");
  EXPECT_EQ(orc->filler_order_number.id, "FillerOrderNumberImagingServiceRequest");
  EXPECT_EQ(orc->order_status, "SC");
  EXPECT_EQ(orc->priority, "RequestedProcedurePriority");

  const auto obr = readObservationRequest(m, *m.findSegment("OBR"));
  ASSERT_TRUE(obr);
  EXPECT_EQ(obr->universal_service_id.identifier, "10637-7");
  EXPECT_EQ(obr->universal_service_id.coding_system, "LN");
  // OBR-31: a UTF-8 en dash in a message labelled 8859/1 comes through as the en dash.
  EXPECT_EQ(obr->reason_for_study,
            "Rheumatoid, other arthritis with motor score from 12 \xE2\x80\x93" "35.,"
            "comorbidity in tier 3");
  EXPECT_EQ(findAccessionNumber(m), "AccessionNumber");  // IPC-1
  const AccessionSource filler_first[] = {AccessionSource::Obr3};
  EXPECT_EQ(findAccessionNumber(m, filler_first), "FillerOrderNumberImagingServiceRequest");
  const AccessionSource nowhere[] = {AccessionSource::Obr20};
  EXPECT_EQ(findAccessionNumber(m, nowhere), std::nullopt);

  const auto notes = m.findSegments("NTE");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(readNote(m, notes[1])->comment, "RequestedProcedureComments");
}

TEST(TypedSegments, OruReportFromDcm4che) {
  const Message m = corpusMessage("dcm4che_ORU_R01-SR.hl7");
  const auto obr = readObservationRequest(m, *m.findSegment("OBR"));
  ASSERT_TRUE(obr);
  EXPECT_EQ(obr->placer_order_number.id, "PlacerOrderNumberImagingServiceRequest");
  const auto obx = m.findSegments("OBX");
  ASSERT_GE(obx.size(), 5u);
  const auto study = readObservation(m, obx[0]);
  EXPECT_EQ(study->identifier.identifier, "113014");
  EXPECT_EQ(study->identifier.coding_system, "DCM");
  EXPECT_EQ(study->value, "1.2.392.200036.9125.0.198811291108.7");
  const auto finding = readObservation(m, obx[3]);
  EXPECT_EQ(finding->value_type, "TX");
  EXPECT_EQ(finding->sub_id, "1");
  EXPECT_EQ(finding->value, "The right kidney is slightly enlarged, but otherwise normal");
  EXPECT_EQ(finding->abnormal_flags, "N");
  EXPECT_EQ(finding->result_status, "F");
}

TEST(TypedSegments, AdtMergeWithEventAndMrg) {
  const Message m = corpusMessage("ipf_A40.hl7");
  const auto evn = readEventType(m, *m.findSegment("EVN"));
  ASSERT_TRUE(evn);
  EXPECT_EQ(evn->event_type_code, "A40");
  EXPECT_EQ(evn->recorded_date_time, "20100419105059");
  const auto pid = readPatientIdentification(m, *m.findSegment("PID"));
  ASSERT_EQ(pid->identifiers.size(), 1u);
  EXPECT_EQ(pid->identifiers[0].id, "142025");
  EXPECT_EQ(pid->identifiers[0].assigning_authority, "130");
  EXPECT_EQ(pid->identifiers[0].assigning_authority_universal,
            "2.16.840.1.113883.3.37.4.1.1.2.1.1");
  EXPECT_EQ(pid->name.family, "LENNON");
  const auto mrg = readMergeInformation(m, *m.findSegment("MRG"));
  ASSERT_TRUE(mrg);
  ASSERT_EQ(mrg->prior_identifiers.size(), 1u);
  EXPECT_EQ(mrg->prior_identifiers[0].id, "704686");
  EXPECT_EQ(mrg->prior_identifiers[0].assigning_authority, "130");
  EXPECT_EQ(mrg->prior_account_number, "");
  EXPECT_EQ(m.value(*m.findSegment("MRG"), {.field = 4}), "00000802875");
}

TEST(TypedSegments, AdtMergeVersion28) {
  const Message m = corpusMessage("msfhirconv_ADT-A40-01.hl7");
  const MessageHeader h = readMessageHeader(m);
  EXPECT_EQ(h.version, "2.8");
  EXPECT_EQ(h.accept_ack_type, "NE");
  const auto evn = readEventType(m, *m.findSegment("EVN"));
  EXPECT_EQ(evn->reason_code, "01");
  EXPECT_EQ(evn->operator_id, "13");
  const auto mrg = readMergeInformation(m, *m.findSegment("MRG"));
  ASSERT_EQ(mrg->prior_identifiers.size(), 1u);
  EXPECT_EQ(mrg->prior_identifiers[0].id, "56789");
  EXPECT_EQ(mrg->prior_identifiers[0].assigning_authority, "BCBS");
  EXPECT_EQ(mrg->prior_identifiers[0].identifier_type, "MR");
}

TEST(TypedSegments, NamesWithSubcomponentsAndRepeatedIdentifiers) {
  const Message m = corpusMessage("msfhirconv_ORM-O01-01.hl7");  // starts with a UTF-8 BOM
  const auto pid = readPatientIdentification(m, *m.findSegment("PID"));
  ASSERT_TRUE(pid);
  ASSERT_EQ(pid->identifiers.size(), 2u);
  EXPECT_EQ(pid->identifiers[0].id, "PATID1234");
  EXPECT_EQ(pid->identifiers[0].assigning_authority, "test1");
  EXPECT_EQ(pid->identifiers[0].assigning_authority_universal, "2.16.1");
  EXPECT_EQ(pid->identifiers[1].identifier_type, "SS");
  EXPECT_EQ(pid->name.family, "EVERYMAN");  // FN.1 of XPN-1
  EXPECT_EQ(pid->name.given, "ADAM");
  const auto pv1 = readPatientVisit(m, *m.findSegment("PV1"));
  EXPECT_EQ(pv1->assigned_location.point_of_care, "RADUnit01");
  EXPECT_EQ(pv1->assigned_location.room, "Room01");
  EXPECT_EQ(pv1->assigned_location.facility, "GHH");
  EXPECT_EQ(pv1->attending.id, "0210");
  EXPECT_EQ(pv1->attending.name.family, "ATTEND");
  const auto orc = readCommonOrder(m, *m.findSegment("ORC"));
  EXPECT_EQ(orc->placer_order_number.id, "1101");
  EXPECT_EQ(orc->placer_order_number.namespace_id, "GHHPlacer");
  const auto obr = readObservationRequest(m, *m.findSegment("OBR"));
  EXPECT_EQ(obr->universal_service_id.text, "CT Head");
  EXPECT_EQ(obr->observation_date_time, "202110201200+0215");
  EXPECT_EQ(obr->result_status, "S");
  const auto obx = readObservation(m, *m.findSegment("OBX"));
  EXPECT_EQ(obx->values, (std::vector<std::string>{"60", "120"}));
}

TEST(TypedSegments, EscapedValuesComeDecoded) {
  const Message m = corpusMessage("rethinkhl7_edge-escaped-delimiters.hl7");
  const auto pid = readPatientIdentification(m, 1);
  EXPECT_EQ(pid->name.family, "DOE&SMITH");
  EXPECT_EQ(pid->name.given, "JOHN^JANE");
  EXPECT_EQ(readObservation(m, 2)->value,
            "Result contains pipe | and ampersand & and caret ^ and tilde ~ and backslash \\ chars");
}

TEST(TypedSegments, HexEscapesInLatin1) {
  const Message m = corpusMessage("dcm4che_SIU_S12-NewAppointmentBooking.hl7");
  const std::size_t ais = *m.findSegment("AIS");
  EXPECT_EQ(m.value(ais, {.field = 3, .component = 2}),
            "SEPTOPLASTIA (OPERA\xC3\x87\xC3\x83O ISOLADA)");
}

TEST(TypedSegments, NotesWithFormattingEscapes) {
  const Message m = corpusMessage("hl7dotnetcore_Sample-ORM.hl7");
  const auto notes = m.findSegments("NTE");
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(readNote(m, notes[0])->comment,
            "some text\nsome text after \\H\\new line\\N\\\nissue Efferent-Health#82");
  EXPECT_EQ(readNote(m, notes[1])->comment,
            "some text\r\nsome text after new line\r\nissue Efferent-Health#81");
}

}  // namespace
}  // namespace sundial::hl7
