#pragma once
// A trail record as a DICOM PS3.15 audit message (the IHE ATNA XML, DICOM schema), for the
// audit repository. The record's action picks the event (table in atna_message.cpp):
// instance.received / forwarded / dead_lettered -> DICOM Instances Transferred (110104),
// forward.started -> Begin Transferring DICOM Instances (110102), query / audit.query ->
// Query (110112) / Audit Log Used (110101), order.* -> Order Record (110109), report.*,
// patient.*, api.view -> Patient Record (110110), rule.decision / task.* -> Procedure Record
// (110111), login.* / logout -> User Authentication (110114), association.rejected and other
// refusals -> Security Alert (110113), config.* / rules.* / user.* -> Security Alert with the
// configuration type code, app.start / app.stop -> Application Activity (110100). Every
// message also carries the Sundial action as an EventTypeCode (codeSystemName "SUNDIAL").
// Pure code, safe from any thread.

#include <string>

#include "engine/audit/stored_record.h"

namespace sundial::engine::audit {

struct AtnaSource {
  std::string audit_source_id;     // this node's name
  std::string enterprise_site_id;  // the operator of the node
  std::string node_ae_title;       // the node's AE title (the DICOM participant)
};

struct AtnaEventCode {
  std::string code;
  std::string display;
  std::string type_code;     // empty when the event has no DCM type code
  std::string type_display;
  char action = 'E';         // EventActionCode: C R U D E
};

// The event the table gives an action ("instance.received" -> 110104, 'C').
AtnaEventCode atnaEventFor(const AuditRecord& record);

// EventOutcomeIndicator: 0 success, 4 refused (minor failure), 8 failure (serious failure).
int atnaOutcome(const std::string& outcome);

// The XML document (UTF-8, with its declaration).
std::string atnaMessageXml(const StoredRecord& stored, const AtnaSource& source);

// XML text with &, <, >, " and ' escaped and characters XML 1.0 forbids replaced by U+FFFD.
std::string xmlEscape(const std::string& text);

}  // namespace sundial::engine::audit
