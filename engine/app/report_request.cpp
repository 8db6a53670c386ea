#include "engine/app/report_request.h"

#include <nlohmann/json.hpp>

#include "engine/domain/clock.h"

namespace sundial::app {
namespace {

using nlohmann::json;

// The string members of a report request, with where each goes.
struct TextField {
  const char* key;
  std::string Report::*member;
};
constexpr TextField kTextFields[] = {
    {"site", &Report::site},
    {"accession_number", &Report::accession_number},
    {"placer_order_number", &Report::placer_order_number},
    {"filler_order_number", &Report::filler_order_number},
    {"study_instance_uid", &Report::study_instance_uid},
    {"patient_id", &Report::patient_id},
    {"patient_name", &Report::patient_name},
    {"procedure_code", &Report::procedure_code},
    {"procedure_text", &Report::procedure_text},
    {"text", &Report::text},
    {"reader_id", &Report::reader_id},
};

Result<ReportStatus> statusFromName(const std::string& name) {
  for (const ReportStatus s : {ReportStatus::Preliminary, ReportStatus::Final, ReportStatus::Corrected}) {
    if (name == reportStatusName(s)) return s;
  }
  return makeError(ErrorCode::InvalidInput,
                   "status must be \"preliminary\", \"final\" or \"corrected\"");
}

}  // namespace

Result<QueuedReportRequest> parseReportRequest(const std::string& body) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return makeError(ErrorCode::InvalidInput, "the body must be a JSON object");
  }
  QueuedReportRequest out;
  for (const auto& [key, value] : doc.items()) {
    if (key == "status") {
      if (!value.is_string()) return makeError(ErrorCode::InvalidInput, "status must be a string");
      auto status = statusFromName(value.get<std::string>());
      if (!status) return status.error();
      out.report.status = status.value();
      continue;
    }
    if (key == "observed_at_ms") {
      if (!value.is_number_integer() || value.get<long long>() < 0 ||
          !isUtcEpochMs(value.get<long long>())) {
        return makeError(ErrorCode::InvalidInput,
                         "observed_at_ms must be milliseconds since the Unix epoch");
      }
      out.report.observed_at = fromEpochMs(value.get<long long>());
      continue;
    }
    if (key == "task_id") {
      if (!value.is_string()) return makeError(ErrorCode::InvalidInput, "task_id must be a string");
      out.task_id = value.get<std::string>();
      continue;
    }
    const TextField* field = nullptr;
    for (const TextField& f : kTextFields) {
      if (key == f.key) field = &f;
    }
    if (field == nullptr) return makeError(ErrorCode::InvalidInput, "unknown key '" + key + "'");
    if (!value.is_string()) return makeError(ErrorCode::InvalidInput, key + " must be a string");
    out.report.*(field->member) = value.get<std::string>();
  }
  if (out.report.site.empty()) return makeError(ErrorCode::InvalidInput, "site is required");
  if (out.report.text.empty()) return makeError(ErrorCode::InvalidInput, "text is required");
  return out;
}

}  // namespace sundial::app
