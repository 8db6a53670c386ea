#include "hl7/mapping/oru_report.h"

#include <optional>
#include <string>

#include "hl7/mapping/hl7_time.h"
#include "hl7/mapping/patient_fields.h"
#include "hl7/message/segments.h"

namespace sundial::hl7::mapping {
namespace {

bool isTextResult(std::string_view value_type) {
  return value_type == "TX" || value_type == "FT" || value_type == "ST";
}

// OBR-32 (NDL): the interpreter's ID (32.1.1), else their family name (32.1.2).
std::string interpreterOf(const Message& message, std::size_t obr) {
  std::string id = message.value(obr, {32, 1, 1, 1});
  if (!id.empty()) return id;
  return message.value(obr, {32, 1, 1, 2});
}

// The text results of the OBR at `obr`: up to the next OBR.
std::string reportText(const Message& message, std::size_t obr) {
  std::string text;
  for (std::size_t s = obr + 1; s < message.segmentCount(); ++s) {
    const std::string_view id = message.segmentId(s);
    if (id == "OBR") break;
    if (id != "OBX") continue;
    const Observation obx = *readObservation(message, s);
    if (!isTextResult(obx.value_type)) continue;
    for (const std::string& line : obx.values) {
      if (!text.empty()) text.push_back('\n');
      text += line;
    }
  }
  return text;
}

}  // namespace

Result<ReportStatus> reportStatusFor(std::string_view result_status) {
  if (result_status == "P") return ReportStatus::Preliminary;
  if (result_status == "F") return ReportStatus::Final;
  if (result_status == "C") return ReportStatus::Corrected;
  if (result_status.empty()) {
    return makeError(ErrorCode::InvalidInput, "OBR-25 (result status) is empty: expected P, F or C");
  }
  return makeError(ErrorCode::InvalidInput, "OBR-25 result status '" +
                                                std::string(result_status.substr(0, 8)) +
                                                "' is not a report status (P, F or C)");
}

Result<Report> mapReportMessage(const Message& message, std::string_view site,
                                UtcTime received_at) {
  auto pid = firstPatient(message, "ORU^R01");
  if (!pid) return pid.error();
  std::optional<std::size_t> obr_at = message.findSegment("OBR");
  if (!obr_at) return makeError(ErrorCode::InvalidInput, "OBR segment missing: ORU^R01 carries no report");
  const ObservationRequest obr = *readObservationRequest(message, *obr_at);
  std::optional<CommonOrder> orc;
  if (auto orc_at = message.findSegment("ORC")) orc = readCommonOrder(message, *orc_at);

  Report report;
  report.site = site;
  auto status = reportStatusFor(obr.result_status);
  if (!status) return status.error();
  report.status = status.value();
  report.placer_order_number = !obr.placer_order_number.id.empty()
                                   ? obr.placer_order_number.id
                                   : (orc ? orc->placer_order_number.id : "");
  report.filler_order_number = !obr.filler_order_number.id.empty()
                                   ? obr.filler_order_number.id
                                   : (orc ? orc->filler_order_number.id : "");
  report.accession_number =
      !obr.placer_field_1.empty() ? obr.placer_field_1 : report.filler_order_number;
  if (report.accession_number.empty() && report.placer_order_number.empty()) {
    return makeError(ErrorCode::InvalidInput,
                     "no accession number (OBR-18, OBR-3) and no placer order number (OBR-2, "
                     "ORC-2): the report cannot be matched to its order");
  }
  auto patient_id = patientIdOf(pid.value());
  if (!patient_id) return patient_id.error();
  report.patient_id = patient_id.value();
  report.patient_name = personNameText(pid->name);
  report.procedure_code = obr.universal_service_id.identifier;
  report.procedure_text = obr.universal_service_id.text;
  report.text = reportText(message, *obr_at);
  report.reader_id = interpreterOf(message, *obr_at);
  if (auto zds = message.firstValue("ZDS", {.field = 1})) report.study_instance_uid = *zds;

  const std::string observed =
      !obr.observation_date_time.empty() ? obr.observation_date_time
                                         : message.value(*obr_at, {22, 1, 1, 1});
  if (observed.empty()) {
    report.observed_at = received_at;
  } else {
    auto at = parseHl7Time(observed, obr.observation_date_time.empty() ? "OBR-22" : "OBR-7");
    if (!at) return at.error();
    report.observed_at = at.value();
  }
  return report;
}

}  // namespace sundial::hl7::mapping
