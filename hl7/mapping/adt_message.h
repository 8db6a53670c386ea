#pragma once
// ADT messages to the engine's patient changes: A01/A04/A08 update demographics, A40 merges
// a prior patient ID (MRG-1) into the surviving one (PID-3). Pure; any thread. Errors are
// InvalidInput naming the segment and field.

#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/patient.h"
#include "engine/domain/result.h"
#include "hl7/message/message.h"

namespace sundial::hl7::mapping {

// ADT^A01, A04 and A08: the patient of the message (first PID).
Result<PatientDemographics> mapPatientUpdate(const Message& message, std::string_view site,
                                             UtcTime received_at);

// ADT^A40: one merge per PID/MRG pair (a message may merge several patients).
Result<std::vector<PatientMergeRequest>> mapPatientMerge(const Message& message,
                                                         std::string_view site,
                                                         UtcTime received_at);

}  // namespace sundial::hl7::mapping
