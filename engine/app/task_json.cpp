#include "engine/app/task_json.h"

#include <cctype>

namespace sundial::app {
namespace {

using nlohmann::json;

json msOrNull(UtcTime t) {
  if (t == UtcTime{}) return nullptr;
  return toEpochMs(t);
}

std::string percentEncode(const std::string& text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xF];
    }
  }
  return out;
}

void replaceAll(std::string& text, const std::string& what, const std::string& with) {
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

}  // namespace

std::string expandViewerUrl(const std::string& url_template, const worklist::Task& task) {
  std::string url = url_template;
  replaceAll(url, "{study_uid}", percentEncode(task.study_uids.empty() ? "" : task.study_uids.front()));
  replaceAll(url, "{accession}", percentEncode(task.order.accession_number));
  replaceAll(url, "{site}", percentEncode(task.site));
  replaceAll(url, "{task_id}", percentEncode(task.id));
  return url;
}

json taskToJson(const worklist::Task& t, const TaskJsonOptions& options) {
  json patient = {{"age", t.patient.age}, {"sex", t.patient.sex}};
  if (options.include_identity) {
    patient["name"] = t.patient.name;
    patient["patient_id"] = t.patient.patient_id;
  }
  json sla = {{"warn_at_ms", msOrNull(t.warn_at)},
              {"warned", t.sla_warned},
              {"breached", t.sla_breached}};
  if (options.now != UtcTime{} && t.due != UtcTime{}) {
    sla["remaining_ms"] = toEpochMs(t.due) - toEpochMs(options.now);
  }
  json out = {
      {"id", t.id},
      {"study_uids", t.study_uids},
      {"site", t.site},
      {"modality", t.modality},
      {"priority", orderPriorityName(t.priority)},
      {"state", worklist::taskStateName(t.state)},
      {"due_ms", msOrNull(t.due)},
      {"assigned_reader", t.assigned_reader.empty() ? json(nullptr) : json(t.assigned_reader)},
      {"pool", t.pool.empty() ? json(nullptr) : json(t.pool)},
      {"claimed_by", t.claimed_by.empty() ? json(nullptr) : json(t.claimed_by)},
      {"lease_expires_ms", msOrNull(t.lease_expires)},
      {"order",
       {{"accession_number", t.order.accession_number},
        {"placer_order_number", t.order.placer_order_number},
        {"procedure_code", t.order.procedure_code},
        {"procedure_text", t.order.procedure_text},
        {"reason_for_exam", t.order.reason_for_exam},
        {"ordering_provider", t.order.ordering_provider}}},
      {"patient", patient},
      {"times",
       {{"ordered_ms", msOrNull(t.times.ordered)},
        {"first_image_ms", msOrNull(t.times.first_image)},
        {"study_complete_ms", msOrNull(t.times.study_complete)},
        {"created_ms", msOrNull(t.times.created)},
        {"assigned_ms", msOrNull(t.times.assigned)},
        {"claimed_ms", msOrNull(t.times.claimed)},
        {"started_ms", msOrNull(t.times.started)},
        {"preliminary_ms", msOrNull(t.times.preliminary)},
        {"final_ms", msOrNull(t.times.final_report)},
        {"delivered_ms", msOrNull(t.times.delivered)}}},
      {"tags", t.tags},
      {"decision_id", t.decision_id},
      {"rvu", t.rvu},
      {"sla", sla},
      {"version", t.version},
  };
  if (!options.viewer_url_template.empty()) {
    out["viewer_url"] = expandViewerUrl(options.viewer_url_template, t);
  }
  return out;
}

json eventToJson(const worklist::TaskEvent& e) {
  json out = {{"type", e.type},
              {"at_ms", toEpochMs(e.at)},
              {"actor", e.actor},
              {"from", worklist::taskStateName(e.from)},
              {"to", worklist::taskStateName(e.to)}};
  out["reason"] = e.reason.empty() ? json(nullptr) : json(e.reason);
  out["reader"] = e.reader.empty() ? json(nullptr) : json(e.reader);
  out["previous_holder"] = e.previous_holder.empty() ? json(nullptr) : json(e.previous_holder);
  return out;
}

}  // namespace sundial::app
