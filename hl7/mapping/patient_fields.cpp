#include "hl7/mapping/patient_fields.h"

namespace sundial::hl7::mapping {

// HL7's explicit null ("" sent as a value): the sender says there is no value.
constexpr std::string_view kHl7Null = "\"\"";

Result<std::string> patientIdOf(const PatientIdentification& pid) {
  for (const PatientIdentifier& identifier : pid.identifiers) {
    if (identifier.id != kHl7Null) return identifier.id;
  }
  if (!pid.external_id.empty() && pid.external_id != kHl7Null) return pid.external_id;
  return makeError(ErrorCode::InvalidInput, "PID-3 (patient identifier list) holds no ID");
}

std::string personNameText(const PersonName& name) {
  if (name.given.empty()) return name.family;
  return name.family + "^" + name.given;
}

Result<PatientIdentification> firstPatient(const Message& message,
                                           std::string_view message_type) {
  std::optional<std::size_t> segment = message.findSegment("PID");
  if (!segment) {
    return makeError(ErrorCode::InvalidInput,
                     "PID segment missing: " + std::string(message_type) + " needs the patient");
  }
  return *readPatientIdentification(message, *segment);
}

}  // namespace sundial::hl7::mapping
