#pragma once
// The patient fields every mapping reads the same way (PID-3 with its PID-2 fallback, PID-5
// as "Family^Given"). Internal to hl7/mapping.

#include <string>
#include <string_view>

#include "engine/domain/result.h"
#include "hl7/message/segments.h"

namespace sundial::hl7::mapping {

// PID-3's first identifier, else PID-2 (pre-2.5 senders). InvalidInput naming PID-3 when
// neither holds one.
Result<std::string> patientIdOf(const PatientIdentification& pid);

// "Family^Given" (just "Family" without a given name), as DICOM PN writes it.
std::string personNameText(const PersonName& name);

// The first PID of the message; InvalidInput naming `message_type` when there is none.
Result<PatientIdentification> firstPatient(const Message& message, std::string_view message_type);

}  // namespace sundial::hl7::mapping
