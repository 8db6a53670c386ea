#include "engine/audit/atna_message.h"

#include <array>

namespace sundial::engine::audit {
namespace {

bool startsWith(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

struct Row {
  std::string_view action;  // exact, or a prefix ending in '.'
  AtnaEventCode event;
};

// First match wins: exact actions before their families.
const std::array<Row, 23>& eventTable() {
  static const std::array<Row, 23> table = {{
      {"instance.received", {"110104", "DICOM Instances Transferred", "", "", 'C'}},
      {"instance.forwarded", {"110104", "DICOM Instances Transferred", "", "", 'R'}},
      {"study.forwarded", {"110104", "DICOM Instances Transferred", "", "", 'R'}},
      {"forward.dead_lettered", {"110104", "DICOM Instances Transferred", "", "", 'R'}},
      {"forward.started", {"110102", "Begin Transferring DICOM Instances", "", "", 'E'}},
      {"audit.query", {"110101", "Audit Log Used", "", "", 'R'}},
      {"audit.", {"110100", "Application Activity", "", "", 'E'}},
      {"query.", {"110112", "Query", "", "", 'E'}},
      {"order.", {"110109", "Order Record", "", "", 'C'}},
      {"report.", {"110110", "Patient Record", "", "", 'C'}},
      {"patient.", {"110110", "Patient Record", "", "", 'U'}},
      {"api.view", {"110110", "Patient Record", "", "", 'R'}},
      {"rule.decision", {"110111", "Procedure Record", "", "", 'U'}},
      {"task.", {"110111", "Procedure Record", "", "", 'U'}},
      {"login", {"110114", "User Authentication", "110122", "Login", 'E'}},  // a log-in that worked
      {"login.", {"110114", "User Authentication", "110122", "Login", 'E'}},
      {"logout", {"110114", "User Authentication", "110123", "Logout", 'E'}},
      {"association.rejected",
       {"110113", "Security Alert", "110126", "Node Authentication", 'E'}},
      {"config.", {"110113", "Security Alert", "110131", "Software Configuration", 'E'}},
      {"rules.", {"110113", "Security Alert", "110131", "Software Configuration", 'E'}},
      {"user.", {"110113", "Security Alert", "110137", "User Security Attributes Changed", 'E'}},
      {"app.start", {"110100", "Application Activity", "110120", "Application Start", 'E'}},
      {"app.stop", {"110100", "Application Activity", "110121", "Application Stop", 'E'}},
  }};
  return table;
}

void appendCode(std::string& out, const char* element, const std::string& code,
                const std::string& system, const std::string& display) {
  out += "<";
  out += element;
  out += " csd-code=\"" + xmlEscape(code) + "\" codeSystemName=\"" + xmlEscape(system) +
         "\" originalText=\"" + xmlEscape(display) + "\"/>";
}

void appendParticipant(std::string& out, const std::string& user_id, bool requestor,
                       const std::string& network_address, const char* role_code,
                       const char* role_display, const std::string& alternative = {}) {
  out += "<ActiveParticipant UserID=\"" + xmlEscape(user_id) + "\"";
  if (!alternative.empty()) out += " AlternativeUserID=\"" + xmlEscape(alternative) + "\"";
  out += requestor ? " UserIsRequestor=\"true\"" : " UserIsRequestor=\"false\"";
  if (!network_address.empty()) {
    out += " NetworkAccessPointID=\"" + xmlEscape(network_address) +
           "\" NetworkAccessPointTypeCode=\"2\"";
  }
  out += ">";
  if (role_code) appendCode(out, "RoleIDCode", role_code, "DCM", role_display);
  out += "</ActiveParticipant>";
}

std::string detail(const AuditRecord& r, const char* key) {
  auto it = r.details.find(key);
  return it == r.details.end() ? std::string() : it->second;
}

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(n >> k) & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Who took part: for a transfer the sender and the receiver, otherwise the actor (the
// requestor) and this application.
void appendParticipants(std::string& out, const StoredRecord& stored, const AtnaEventCode& event,
                        const AtnaSource& source) {
  const AuditRecord& r = stored.record;
  const std::string peer = detail(r, "peer_address");
  if (event.code == "110104" || event.code == "110102") {
    if (event.action == 'C') {  // received: the site's modality sent, we received
      appendParticipant(out, r.actor, true, peer, "110153", "Source Role ID");
      appendParticipant(out, source.node_ae_title, false, "", "110152", "Destination Role ID",
                        "AETITLES=" + source.node_ae_title);
      return;
    }
    std::string destination = detail(r, "destination");
    appendParticipant(out, source.node_ae_title, true, "", "110153", "Source Role ID",
                      "AETITLES=" + source.node_ae_title);
    appendParticipant(out, destination.empty() ? r.actor : destination, false, peer, "110152",
                      "Destination Role ID");
    return;
  }
  if (event.code == "110100") {
    appendParticipant(out, source.audit_source_id, false, "", "110150", "Application");
    if (!r.actor.empty() && r.actor != "engine") {
      appendParticipant(out, r.actor, true, peer, "110151", "Application Launcher");
    }
    return;
  }
  appendParticipant(out, r.actor.empty() ? "unknown" : r.actor, true, peer, nullptr, nullptr);
  appendParticipant(out, source.audit_source_id, false, "", "110150", "Application");
}

void appendObjects(std::string& out, const AuditRecord& r, const AtnaEventCode& event) {
  if (!r.patient_id.empty()) {
    out += "<ParticipantObjectIdentification ParticipantObjectID=\"" + xmlEscape(r.patient_id) +
           "\" ParticipantObjectTypeCode=\"1\" ParticipantObjectTypeCodeRole=\"1\">";
    appendCode(out, "ParticipantObjectIDTypeCode", "2", "RFC-3881", "Patient Number");
    out += "</ParticipantObjectIdentification>";
  }
  if (!r.study_uid.empty()) {
    out += "<ParticipantObjectIdentification ParticipantObjectID=\"" + xmlEscape(r.study_uid) +
           "\" ParticipantObjectTypeCode=\"2\" ParticipantObjectTypeCodeRole=\"3\">";
    appendCode(out, "ParticipantObjectIDTypeCode", "110180", "DCM", "Study Instance UID");
    if (!r.accession_number.empty()) {
      out += "<ParticipantObjectDetail type=\"AccessionNumber\" value=\"" +
             base64(r.accession_number) + "\"/>";
    }
    std::string count = detail(r, "count");
    if (!count.empty()) {
      out += "<ParticipantObjectDetail type=\"NumberOfInstances\" value=\"" + base64(count) +
             "\"/>";
    }
    out += "</ParticipantObjectIdentification>";
  }
  if (event.code == "110112") {
    std::string query = detail(r, "query");
    out += "<ParticipantObjectIdentification ParticipantObjectID=\"" + xmlEscape(r.action) +
           "\" ParticipantObjectTypeCode=\"2\" ParticipantObjectTypeCodeRole=\"24\">";
    appendCode(out, "ParticipantObjectIDTypeCode", "110181", "DCM", "SOP Class UID");
    if (!query.empty()) out += "<ParticipantObjectQuery>" + base64(query) + "</ParticipantObjectQuery>";
    out += "</ParticipantObjectIdentification>";
  }
}

}  // namespace

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows tab, LF and CR among the control characters, nothing else.
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += "\xEF\xBF\xBD";
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

AtnaEventCode atnaEventFor(const AuditRecord& record) {
  for (const Row& row : eventTable()) {
    bool family = !row.action.empty() && row.action.back() == '.';
    if (family ? startsWith(record.action, row.action) : record.action == row.action) {
      return row.event;
    }
  }
  // Anything else with a refusal is a security matter; the rest is application activity.
  if (record.outcome == "refused") {
    return {"110113", "Security Alert", "110132", "Use of Restricted Function", 'E'};
  }
  return {"110100", "Application Activity", "", "", 'E'};
}

int atnaOutcome(const std::string& outcome) {
  if (outcome == "success") return 0;
  if (outcome == "refused") return 4;
  return 8;
}

std::string atnaMessageXml(const StoredRecord& stored, const AtnaSource& source) {
  const AuditRecord& r = stored.record;
  AtnaEventCode event = atnaEventFor(r);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><AuditMessage>";
  out += "<EventIdentification EventActionCode=\"";
  out += event.action;
  out += "\" EventDateTime=\"" + formatUtc(r.at) + "\" EventOutcomeIndicator=\"" +
         std::to_string(atnaOutcome(r.outcome)) + "\">";
  appendCode(out, "EventID", event.code, "DCM", event.display);
  if (!event.type_code.empty()) {
    appendCode(out, "EventTypeCode", event.type_code, "DCM", event.type_display);
  }
  appendCode(out, "EventTypeCode", r.action, "SUNDIAL", r.action);
  std::string reason = detail(r, "reason");
  if (!reason.empty()) out += "<EventOutcomeDescription>" + xmlEscape(reason) + "</EventOutcomeDescription>";
  out += "</EventIdentification>";
  appendParticipants(out, stored, event, source);
  out += "<AuditSourceIdentification AuditEnterpriseSiteID=\"" +
         xmlEscape(source.enterprise_site_id) + "\" AuditSourceID=\"" +
         xmlEscape(source.audit_source_id) + "\">";
  appendCode(out, "AuditSourceTypeCode", "4", "DCM", "Application Server");
  out += "</AuditSourceIdentification>";
  appendObjects(out, r, event);
  out += "</AuditMessage>";
  return out;
}

}  // namespace sundial::engine::audit
