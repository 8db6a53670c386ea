#include "hl7/mapping/adt_message.h"

#include <string>

#include "hl7/mapping/patient_fields.h"
#include "hl7/message/segments.h"

namespace sundial::hl7::mapping {

Result<PatientDemographics> mapPatientUpdate(const Message& message, std::string_view site,
                                             UtcTime received_at) {
  const MessageHeader header = readMessageHeader(message);
  auto pid = firstPatient(message, header.message_code + "^" + header.trigger_event);
  if (!pid) return pid.error();
  auto patient_id = patientIdOf(pid.value());
  if (!patient_id) return patient_id.error();
  PatientDemographics patient;
  patient.site = site;
  patient.patient_id = patient_id.value();
  patient.patient_name = personNameText(pid->name);
  patient.birth_date = pid->birth_date.substr(0, 8);
  patient.sex = pid->sex;
  patient.updated_at = received_at;
  return patient;
}

Result<std::vector<PatientMergeRequest>> mapPatientMerge(const Message& message,
                                                         std::string_view site,
                                                         UtcTime received_at) {
  std::vector<PatientMergeRequest> merges;
  std::optional<std::size_t> pending_pid;  // a PID waiting for its MRG
  for (std::size_t s = 0; s < message.segmentCount(); ++s) {
    const std::string_view id = message.segmentId(s);
    if (id == "PID") pending_pid = s;
    if (id != "MRG") continue;
    const std::string pair = "PID/MRG pair #" + std::to_string(merges.size() + 1);
    if (!pending_pid) {
      return makeError(ErrorCode::InvalidInput, "MRG without a PID before it", pair);
    }
    auto surviving = patientIdOf(*readPatientIdentification(message, *pending_pid));
    if (!surviving) {
      Error error = surviving.error();
      error.context = pair;
      return error;
    }
    const MergeInformation mrg = *readMergeInformation(message, s);
    if (mrg.prior_identifiers.empty()) {
      return makeError(ErrorCode::InvalidInput, "MRG-1 (prior patient identifier) holds no ID",
                       pair);
    }
    const std::string& prior = mrg.prior_identifiers.front().id;
    if (prior == surviving.value()) {
      return makeError(ErrorCode::InvalidInput,
                       "MRG-1 names the same patient ID as PID-3: nothing to merge", pair);
    }
    merges.push_back({std::string(site), surviving.value(), prior, received_at});
    pending_pid.reset();
  }
  if (merges.empty()) {
    return makeError(ErrorCode::InvalidInput, "MRG segment missing: ADT^A40 names no prior patient");
  }
  return merges;
}

}  // namespace sundial::hl7::mapping
