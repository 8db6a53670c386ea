#include "hl7/message/writer.h"

#include <gtest/gtest.h>

namespace sundial::hl7 {
namespace {

MessageHeader ackHeader() {
  MessageHeader h;
  h.sending_application = "SUNDIAL";
  h.sending_facility = "TELERAD";
  h.receiving_application = "RIS";
  h.receiving_facility = "SITE^A";  // a delimiter in a value is escaped
  h.date_time = "20261129120000";
  h.message_code = "ACK";
  h.trigger_event = "O01";
  h.message_structure = "ACK";
  h.control_id = "ACK0001";
  h.processing_id = "P";
  h.version = "2.5.1";
  return h;
}

TEST(MakeMessage, BuildsAnAck) {
  Message ack = makeMessage(ackHeader());
  const std::size_t msa = ack.appendSegment("MSA");
  ack.setValue(msa, {.field = 1}, "AA");
  ack.setValue(msa, {.field = 2}, "MSG|42");
  EXPECT_EQ(ack.toString(),
            "MSH|^~\\&|SUNDIAL|TELERAD|RIS|SITE\\S\\A|20261129120000||ACK^O01^ACK|ACK0001|P|2.5.1\r"
            "MSA|AA|MSG\\F\\42\r");
}

TEST(MakeMessage, BuildsAReportThatParsesBack) {
  MessageHeader h = ackHeader();
  h.message_code = "ORU";
  h.trigger_event = "R01";
  h.message_structure = "ORU_R01";
  h.charset = "UNICODE UTF-8";
  Message oru = makeMessage(h);
  const std::size_t pid = oru.appendSegment("PID");
  oru.setValue(pid, {.field = 3, .component = 1}, "MRN1");
  oru.setValue(pid, {.field = 3, .component = 4}, "HOSP");
  oru.setValue(pid, {.field = 5, .component = 1}, "M\xC3\xBCller");
  const std::size_t obr = oru.appendSegment("OBR");
  oru.setValue(obr, {.field = 25}, "F");
  const std::size_t obx = oru.appendSegment("OBX");
  oru.setValue(obx, {.field = 2}, "TX");
  oru.setValue(obx, {.field = 5}, "Impression: no acute findings.\nC1~C2 & L5|S1 \\ ok");

  const std::string text = oru.toString();
  auto parsed = parseMessage(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  const MessageHeader back = readMessageHeader(*parsed);
  EXPECT_EQ(back.message_code, "ORU");
  EXPECT_EQ(back.receiving_facility, "SITE^A");
  EXPECT_EQ(back.charset, "UNICODE UTF-8");
  EXPECT_EQ(parsed->charset(), Charset::Utf8);
  const auto patient = readPatientIdentification(*parsed, 1);
  ASSERT_TRUE(patient);
  ASSERT_EQ(patient->identifiers.size(), 1u);
  EXPECT_EQ(patient->identifiers[0].assigning_authority, "HOSP");
  EXPECT_EQ(patient->name.family, "M\xC3\xBCller");
  EXPECT_EQ(readObservationRequest(*parsed, 2)->result_status, "F");
  EXPECT_EQ(readObservation(*parsed, 3)->value,
            "Impression: no acute findings.\nC1~C2 & L5|S1 \\ ok");
  EXPECT_EQ(parsed->toString(), text);
}

TEST(MakeMessage, CustomDelimitersAndLatin1) {
  MessageHeader h = ackHeader();
  h.charset = "8859/1";
  const Delimiters custom{'#', '!', '@', '%', '*', '\0'};
  Message m = makeMessage(h, custom);
  const std::size_t nte = m.appendSegment("NTE");
  m.setValue(nte, {.field = 3}, "Ren\xC3\xA9 #1!");
  const std::string text = m.toString();
  EXPECT_EQ(text.substr(0, 9), "MSH#!@%*#");
  EXPECT_NE(text.find("NTE###Ren\xE9 %F%1%S%\r"), std::string::npos);
  auto parsed = parseMessage(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(readNote(*parsed, 1)->comment, "Ren\xC3\xA9 #1!");
}

}  // namespace
}  // namespace sundial::hl7
