#include "hl7/mapping/report_message.h"

#include <gtest/gtest.h>

#include "hl7/message/message.h"
#include "hl7/message/segments.h"

namespace sundial::hl7 {
namespace {

const UtcTime kNow = fromEpochMs(1'795'991'972'000);       // 2026-11-29T22:39:32Z
const UtcTime kObserved = fromEpochMs(1'795'990'000'000);  // 2026-11-29T22:06:40Z

Report sampleReport() {
  Report r;
  r.site = "NORTH";
  r.accession_number = "ACC123";
  r.placer_order_number = "PL77";
  r.filler_order_number = "FI88";
  r.patient_id = "MRN001";
  r.patient_name = "DOE^JANE^Q";
  r.procedure_code = "CTHEAD";
  r.procedure_text = "CT head without contrast";
  r.status = ReportStatus::Final;
  r.text = "FINDINGS: No acute findings.\nIMPRESSION: Normal.\n";
  r.reader_id = "RAD42";
  r.observed_at = kObserved;
  return r;
}

ReportMessageSettings siteSettings(std::string version = "2.5.1", std::string charset = "") {
  ReportMessageSettings s;
  s.sending_application = "SUNDIAL";
  s.sending_facility = "TELERAD";
  s.receiving_application = "RIS";
  s.receiving_facility = "NORTHHOSP";
  s.version = std::move(version);
  s.charset = std::move(charset);
  return s;
}

Message parsed(const std::string& text) {
  auto message = parseMessage(text);
  EXPECT_TRUE(message.ok()) << message.error().describe();
  return std::move(message).value();
}

// The report text as a receiver reads it back: OBX-5 of each TX, one line each.
std::string textOf(const Message& message) {
  std::string text;
  for (const std::size_t obx : message.findSegments("OBX")) {
    text += readObservation(message, obx)->value + "\n";
  }
  return text;
}

TEST(ReportMessage, RoundTripsThroughTheParser) {
  auto built = buildReportMessage(sampleReport(), siteSettings(), "R0001", kNow);
  ASSERT_TRUE(built.ok()) << built.error().describe();
  const Message m = parsed(built.value());

  const MessageHeader h = readMessageHeader(m);
  EXPECT_EQ(h.sending_application, "SUNDIAL");
  EXPECT_EQ(h.sending_facility, "TELERAD");
  EXPECT_EQ(h.receiving_application, "RIS");
  EXPECT_EQ(h.receiving_facility, "NORTHHOSP");
  EXPECT_EQ(h.date_time, "20261129223932+0000");
  EXPECT_EQ(h.message_code, "ORU");
  EXPECT_EQ(h.trigger_event, "R01");
  EXPECT_EQ(h.message_structure, "ORU_R01");
  EXPECT_EQ(h.control_id, "R0001");
  EXPECT_EQ(h.processing_id, "P");
  EXPECT_EQ(h.version, "2.5.1");
  EXPECT_EQ(h.accept_ack_type, "");  // original mode: AA/AE/AR expected back

  const auto pid = readPatientIdentification(m, *m.findSegment("PID"));
  ASSERT_TRUE(pid);
  ASSERT_EQ(pid->identifiers.size(), 1u);
  EXPECT_EQ(pid->identifiers[0].id, "MRN001");
  EXPECT_EQ(pid->name.family, "DOE");
  EXPECT_EQ(pid->name.given, "JANE");
  EXPECT_EQ(pid->name.middle, "Q");

  const auto orc = readCommonOrder(m, *m.findSegment("ORC"));
  ASSERT_TRUE(orc);
  EXPECT_EQ(orc->order_control, "RE");
  EXPECT_EQ(orc->placer_order_number.id, "PL77");
  EXPECT_EQ(orc->filler_order_number.id, "FI88");

  const auto obr = readObservationRequest(m, *m.findSegment("OBR"));
  ASSERT_TRUE(obr);
  EXPECT_EQ(obr->placer_order_number.id, "PL77");
  EXPECT_EQ(obr->filler_order_number.id, "FI88");
  EXPECT_EQ(obr->universal_service_id.identifier, "CTHEAD");
  EXPECT_EQ(obr->universal_service_id.text, "CT head without contrast");
  EXPECT_EQ(obr->observation_date_time, "20261129220640+0000");
  EXPECT_EQ(obr->placer_field_1, "ACC123");
  EXPECT_EQ(obr->result_status, "F");
  EXPECT_EQ(m.value(*m.findSegment("OBR"), {.field = 32, .component = 1, .subcomponent = 1}),
            "RAD42");
  EXPECT_EQ(findAccessionNumber(m).value_or(""), "ACC123");

  const auto obx = m.findSegments("OBX");
  ASSERT_EQ(obx.size(), 2u);
  const auto first = readObservation(m, obx[0]);
  EXPECT_EQ(first->set_id, "1");
  EXPECT_EQ(first->value_type, "TX");
  EXPECT_EQ(first->result_status, "F");
  EXPECT_EQ(readObservation(m, obx[1])->set_id, "2");
  EXPECT_EQ(textOf(m), "FINDINGS: No acute findings.\nIMPRESSION: Normal.\n");
}

TEST(ReportMessage, WritesEachStatusToObr25AndObx11) {
  const std::pair<ReportStatus, std::string> cases[] = {
      {ReportStatus::Preliminary, "P"}, {ReportStatus::Final, "F"}, {ReportStatus::Corrected, "C"}};
  for (const auto& [status, code] : cases) {
    Report r = sampleReport();
    r.status = status;
    const Message m = parsed(buildReportMessage(r, siteSettings(), "R1", kNow).value());
    EXPECT_EQ(readObservationRequest(m, *m.findSegment("OBR"))->result_status, code);
    EXPECT_EQ(readObservation(m, *m.findSegment("OBX"))->result_status, code);
  }
}

TEST(ReportMessage, WritesTheSitesVersion) {
  for (const std::string version : {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1"}) {
    const Message m = parsed(buildReportMessage(sampleReport(), siteSettings(version), "R1", kNow).value());
    const MessageHeader h = readMessageHeader(m);
    EXPECT_EQ(h.version, version);
    // v2.3 has no MSH-9.3; later versions name the structure.
    EXPECT_EQ(h.message_structure, version == "2.3" ? "" : "ORU_R01") << version;
    EXPECT_EQ(textOf(m), sampleReport().text) << version;
  }
}

TEST(ReportMessage, EncodesTextInTheSitesCharset) {
  Report r = sampleReport();
  r.patient_name = "M\xC3\x9CLLER^Ren\xC3\xA9";        // MÜLLER^René
  r.text = "L\xC3\xA9sion \xE2\x89\xA4 5 mm";  // Lésion ≤ 5 mm

  const std::string latin1 = buildReportMessage(r, siteSettings("2.5.1", "8859/1"), "R1", kNow).value();
  EXPECT_NE(latin1.find("L\xE9sion ? 5 mm"), std::string::npos);  // é as one byte; ≤ not in Latin-1
  EXPECT_NE(latin1.find("M\xDCLLER^Ren\xE9"), std::string::npos);
  const Message latin1_message = parsed(latin1);
  EXPECT_EQ(readMessageHeader(latin1_message).charset, "8859/1");
  EXPECT_EQ(textOf(latin1_message), "L\xC3\xA9sion ? 5 mm\n");  // read back as UTF-8

  const std::string utf8 =
      buildReportMessage(r, siteSettings("2.5.1", "UNICODE UTF-8"), "R1", kNow).value();
  EXPECT_NE(utf8.find("L\xC3\xA9sion \xE2\x89\xA4 5 mm"), std::string::npos);
  const Message utf8_message = parsed(utf8);
  EXPECT_EQ(readMessageHeader(utf8_message).charset, "UNICODE UTF-8");
  EXPECT_EQ(textOf(utf8_message), r.text + "\n");

  const std::string ascii = buildReportMessage(r, siteSettings("2.5.1", "ASCII"), "R1", kNow).value();
  for (const char c : ascii) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "in ASCII";
  EXPECT_NE(ascii.find("L?sion ? 5 mm"), std::string::npos);
  EXPECT_EQ(readMessageHeader(parsed(ascii)).charset, "ASCII");
}

TEST(ReportMessage, EscapesDelimitersInTheText) {
  Report r = sampleReport();
  r.text = "C1|C2 ^ T1~T2 & L5\\S1";
  r.procedure_text = "CT A&P";
  const std::string text = buildReportMessage(r, siteSettings(), "R1", kNow).value();
  EXPECT_NE(text.find("C1\\F\\C2 \\S\\ T1\\R\\T2 \\T\\ L5\\E\\S1"), std::string::npos) << text;
  EXPECT_NE(text.find("CT A\\T\\P"), std::string::npos);
  const Message m = parsed(text);
  EXPECT_EQ(textOf(m), r.text + "\n");
  EXPECT_EQ(readObservationRequest(m, *m.findSegment("OBR"))->universal_service_id.text, "CT A&P");
}

TEST(ReportMessage, OneObxPerLineWhateverTheLineEnds) {
  Report r = sampleReport();
  r.text = "one\r\ntwo\rthree\n\nfive";
  const Message m = parsed(buildReportMessage(r, siteSettings(), "R1", kNow).value());
  EXPECT_EQ(m.findSegments("OBX").size(), 5u);
  EXPECT_EQ(textOf(m), "one\ntwo\nthree\n\nfive\n");
}

TEST(ReportMessage, UsesTheAccessionAsFillerNumberWhenThereIsNone) {
  Report r = sampleReport();
  r.filler_order_number.clear();
  r.placer_order_number.clear();
  const Message m = parsed(buildReportMessage(r, siteSettings(), "R1", kNow).value());
  EXPECT_EQ(readObservationRequest(m, *m.findSegment("OBR"))->filler_order_number.id, "ACC123");
  EXPECT_EQ(readCommonOrder(m, *m.findSegment("ORC"))->filler_order_number.id, "ACC123");
}

TEST(ReportMessage, RefusesWhatASiteCouldNotUse) {
  Report no_text = sampleReport();
  no_text.text.clear();
  auto refused = buildReportMessage(no_text, siteSettings(), "R1", kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(refused.error().message.find("no text"), std::string::npos);

  Report no_numbers = sampleReport();
  no_numbers.accession_number.clear();
  no_numbers.placer_order_number.clear();
  no_numbers.filler_order_number.clear();
  refused = buildReportMessage(no_numbers, siteSettings(), "R1", kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("accession"), std::string::npos);

  refused = buildReportMessage(sampleReport(), siteSettings("2.2"), "R1", kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("2.2"), std::string::npos);

  refused = buildReportMessage(sampleReport(), siteSettings("2.5.1", "ISO IR87"), "R1", kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("ISO IR87"), std::string::npos);

  for (const char* bad : {"", "R|1", "123456789012345678901"}) {
    refused = buildReportMessage(sampleReport(), siteSettings(), bad, kNow);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.error().message.find("control id"), std::string::npos);
  }
}

}  // namespace
}  // namespace sundial::hl7
