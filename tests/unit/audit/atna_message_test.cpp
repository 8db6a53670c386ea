#include "engine/audit/atna_message.h"

#include <gtest/gtest.h>

#include "engine/audit/syslog_message.h"

namespace sundial::engine::audit {
namespace {

StoredRecord stored(const std::string& action, const std::string& outcome = "success") {
  StoredRecord s;
  s.seq = 42;
  s.prev = kGenesisHash;
  s.record.action = action;
  s.record.actor = "MODALITY";
  s.record.outcome = outcome;
  s.record.site = "DEMO";
  s.record.study_uid = "1.2.840.1";
  s.record.patient_id = "PAT<1>&";
  s.record.accession_number = "ACC1";
  s.record.details = {{"count", "3"}, {"peer_address", "127.0.0.1"}};
  s.record.at = fromEpochMs(1'800'000'000'000);
  sealRecord(s);
  return s;
}

const AtnaSource kSource{"node-a", "TELERAD", "SUNDIAL"};

TEST(AtnaEvent, ActionsMapToTheirPs315Events) {
  struct Case { const char* action; const char* outcome; const char* code; const char* type; char verb; };
  const Case cases[] = {
      {"instance.received", "success", "110104", "", 'C'},
      {"instance.forwarded", "success", "110104", "", 'R'},
      {"forward.dead_lettered", "failure", "110104", "", 'R'},
      {"forward.started", "success", "110102", "", 'E'},
      {"audit.query", "success", "110101", "", 'R'},
      {"query.studies", "success", "110112", "", 'E'},
      {"order.received", "success", "110109", "", 'C'},
      {"report.delivered", "success", "110110", "", 'C'},
      {"api.view", "success", "110110", "", 'R'},
      {"rule.decision", "success", "110111", "", 'U'},
      {"task.claimed", "success", "110111", "", 'U'},
      {"login", "success", "110114", "110122", 'E'},  // issue 6: was exported as Application Activity
      {"login.failed", "failure", "110114", "110122", 'E'},
      {"logout", "success", "110114", "110123", 'E'},
      {"association.rejected", "refused", "110113", "110126", 'E'},
      {"config.loaded", "success", "110113", "110131", 'E'},
      {"user.role_changed", "success", "110113", "110137", 'E'},
      {"app.start", "success", "110100", "110120", 'E'},
      {"app.stop", "success", "110100", "110121", 'E'},
      {"something.refused", "refused", "110113", "110132", 'E'},
      {"something.else", "success", "110100", "", 'E'},
  };
  for (const Case& c : cases) {
    AuditRecord r;
    r.action = c.action;
    r.outcome = c.outcome;
    AtnaEventCode event = atnaEventFor(r);
    EXPECT_EQ(event.code, c.code) << c.action;
    EXPECT_EQ(event.type_code, c.type) << c.action;
    EXPECT_EQ(event.action, c.verb) << c.action;
  }
}

TEST(AtnaEvent, OutcomeIndicators) {
  EXPECT_EQ(atnaOutcome("success"), 0);
  EXPECT_EQ(atnaOutcome("refused"), 4);
  EXPECT_EQ(atnaOutcome("failure"), 8);
}

TEST(AtnaMessage, ReceivedStudyHasSourceDestinationPatientAndStudy) {
  std::string xml = atnaMessageXml(stored("instance.received"), kSource);
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?><AuditMessage>", 0), 0u);
  EXPECT_NE(xml.find("<EventIdentification EventActionCode=\"C\" EventDateTime=\"2027-01-15T08:00:00.000Z\" "
                     "EventOutcomeIndicator=\"0\"><EventID csd-code=\"110104\" codeSystemName=\"DCM\" "
                     "originalText=\"DICOM Instances Transferred\"/>"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("<ActiveParticipant UserID=\"MODALITY\" UserIsRequestor=\"true\" "
                     "NetworkAccessPointID=\"127.0.0.1\" NetworkAccessPointTypeCode=\"2\">"
                     "<RoleIDCode csd-code=\"110153\""),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("UserID=\"SUNDIAL\" AlternativeUserID=\"AETITLES=SUNDIAL\" UserIsRequestor=\"false\">"
                     "<RoleIDCode csd-code=\"110152\""),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("ParticipantObjectID=\"PAT&lt;1&gt;&amp;\" ParticipantObjectTypeCode=\"1\" "
                     "ParticipantObjectTypeCodeRole=\"1\">"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("ParticipantObjectID=\"1.2.840.1\" ParticipantObjectTypeCode=\"2\" "
                     "ParticipantObjectTypeCodeRole=\"3\"><ParticipantObjectIDTypeCode csd-code=\"110180\""),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("<ParticipantObjectDetail type=\"AccessionNumber\" value=\"QUNDMQ==\"/>"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("AuditEnterpriseSiteID=\"TELERAD\" AuditSourceID=\"node-a\""), std::string::npos);
  EXPECT_EQ(xml.substr(xml.size() - 15), "</AuditMessage>");
}

TEST(AtnaMessage, ForwardedStudyIsSentByUsToTheDestination) {
  StoredRecord s = stored("instance.forwarded");
  s.record.actor = "engine";
  s.record.details["destination"] = "ARCHIVE";
  std::string xml = atnaMessageXml(s, kSource);
  EXPECT_NE(xml.find("UserID=\"SUNDIAL\" AlternativeUserID=\"AETITLES=SUNDIAL\" UserIsRequestor=\"true\">"
                     "<RoleIDCode csd-code=\"110153\""),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("UserID=\"ARCHIVE\" UserIsRequestor=\"false\""), std::string::npos) << xml;
}

TEST(AtnaMessage, FailureReasonIsTheOutcomeDescription) {
  StoredRecord s = stored("association.rejected", "refused");
  s.record.details["reason"] = "calling AE <STRANGER> unknown";
  std::string xml = atnaMessageXml(s, kSource);
  EXPECT_NE(xml.find("EventOutcomeIndicator=\"4\""), std::string::npos);
  EXPECT_NE(xml.find("<EventTypeCode csd-code=\"110126\" codeSystemName=\"DCM\" originalText=\"Node Authentication\"/>"),
            std::string::npos) << xml;
  EXPECT_NE(xml.find("<EventTypeCode csd-code=\"association.rejected\" codeSystemName=\"SUNDIAL\""),
            std::string::npos);
  EXPECT_NE(xml.find("<EventOutcomeDescription>calling AE &lt;STRANGER&gt; unknown</EventOutcomeDescription>"),
            std::string::npos) << xml;
}

TEST(AtnaMessage, ControlCharactersXmlForbidsAreReplaced) {
  EXPECT_EQ(xmlEscape(std::string("a\x01\tb'\"", 6)), "a\xEF\xBF\xBD\tb&apos;&quot;");
}

TEST(SyslogMessage, Rfc5424HeaderStructuredDataAndBom) {
  StoredRecord s = stored("instance.received");
  SyslogHeader header{"host name", "sundial", "4242"};
  std::string message = syslogMessage(s, "<AuditMessage/>", header);
  EXPECT_EQ(message, "<85>1 2027-01-15T08:00:00.000Z host_name sundial 4242 IHE+RFC-3881 "
                     "[sundial@32473 seq=\"42\" hash=\"" + s.hash + "\"] \xEF\xBB\xBF<AuditMessage/>");
  s.record.outcome = "failure";
  EXPECT_EQ(syslogMessage(s, "x", SyslogHeader{}).rfind("<84>1 ", 0), 0u) << "failures are warnings";
  EXPECT_NE(syslogMessage(s, "x", SyslogHeader{}).find(" - sundial - IHE+RFC-3881 "), std::string::npos);
}

TEST(SyslogMessage, OctetCountingFrame) {
  EXPECT_EQ(octetCountedFrame("<85>1 abc"), "9 <85>1 abc");
  EXPECT_EQ(octetCountedFrame("\xEF\xBB\xBF"), "3 \xEF\xBB\xBF") << "bytes, not characters";
}

}  // namespace
}  // namespace sundial::engine::audit
