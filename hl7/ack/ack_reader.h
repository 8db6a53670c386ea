#pragma once
// Reading an acknowledgement that came back for a message Sundial sent: AA/CA = delivered;
// AE/AR/CE/CR = failed, with the site's error text (MSA-3 and every ERR) kept. Pure.

#include <string>
#include <string_view>

#include "engine/domain/result.h"
#include "hl7/ack/ack_codes.h"

namespace sundial::hl7 {

struct AckOutcome {
  AckCode code = AckCode::ApplicationReject;
  bool delivered = false;   // AA or CA
  std::string control_id;   // MSA-2: the control ID of the message acknowledged
  std::string error_text;   // MSA-3 and each ERR's text, joined by "; "; empty on success
};

// InvalidInput when the text is not an HL7 message, has no MSA, or MSA-1 is not one of
// AA/AE/AR/CA/CE/CR.
Result<AckOutcome> readAck(std::string_view text);

}  // namespace sundial::hl7
