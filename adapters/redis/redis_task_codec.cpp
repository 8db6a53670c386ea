#include "adapters/redis/redis_task_codec.h"

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

namespace sundial::adapters::redis {
namespace {

using worklist::Task;
using worklist::TaskEvent;
using worklist::TaskState;

// Study UIDs and tags never hold a comma (UIDs are digits and dots; tags are checked by the
// worklist service), so a comma-joined list reads back unambiguously.
constexpr char kListSeparator = ',';

std::string joinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += kListSeparator;
    out += item;
  }
  return out;
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(kListSeparator, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string msText(UtcTime t) { return t == UtcTime{} ? "0" : std::to_string(toEpochMs(t)); }

bool parseLong(const std::string& text, long long& out) {
  if (text.empty()) {
    out = 0;
    return true;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

FieldList encodeTask(const Task& t) {
  char rvu[32];
  auto [end, ec] = std::to_chars(rvu, rvu + sizeof rvu, t.rvu);
  (void)ec;
  return {
      {"id", t.id},
      {"studies", joinList(t.study_uids)},
      {"site", t.site},
      {"modality", t.modality},
      {"priority", std::string(orderPriorityName(t.priority))},
      {"due_ms", msText(t.due)},
      {"warn_ms", msText(t.warn_at)},
      {"state", std::string(worklist::taskStateName(t.state))},
      {"assigned_reader", t.assigned_reader},
      {"pool", t.pool},
      {"claimed_by", t.claimed_by},
      {"lease_ms", msText(t.lease_expires)},
      {"accession", t.order.accession_number},
      {"placer", t.order.placer_order_number},
      {"procedure_code", t.order.procedure_code},
      {"procedure_text", t.order.procedure_text},
      {"reason_for_exam", t.order.reason_for_exam},
      {"ordering_provider", t.order.ordering_provider},
      {"patient_id", t.patient.patient_id},
      {"patient_name", t.patient.name},
      {"patient_age", t.patient.age},
      {"patient_sex", t.patient.sex},
      {"ordered_ms", msText(t.times.ordered)},
      {"first_image_ms", msText(t.times.first_image)},
      {"study_complete_ms", msText(t.times.study_complete)},
      {"created_ms", msText(t.times.created)},
      {"assigned_ms", msText(t.times.assigned)},
      {"claimed_ms", msText(t.times.claimed)},
      {"started_ms", msText(t.times.started)},
      {"preliminary_ms", msText(t.times.preliminary)},
      {"final_ms", msText(t.times.final_report)},
      {"delivered_ms", msText(t.times.delivered)},
      {"tags", joinList(t.tags)},
      {"decision_id", t.decision_id},
      {"rvu", std::string(rvu, end)},
      {"delivery_id", t.last_delivery_id},
      {"report_hash", t.report_hash},
      {"sla_warned", t.sla_warned ? "1" : "0"},
      {"sla_breached", t.sla_breached ? "1" : "0"},
      {"version", std::to_string(t.version)},
  };
}

Result<Task> decodeTask(const std::vector<std::string>& field_values) {
  std::map<std::string, std::string> f;
  for (std::size_t i = 0; i + 1 < field_values.size(); i += 2) f[field_values[i]] = field_values[i + 1];
  Task t;
  t.id = f["id"];
  if (t.id.empty()) return makeError(ErrorCode::InvalidInput, "stored task has no id");
  std::string bad;
  auto ms = [&](const char* name) {
    long long v = 0;
    if (!parseLong(f[name], v)) bad = name;
    return v == 0 ? UtcTime{} : fromEpochMs(v);
  };
  t.study_uids = splitList(f["studies"]);
  t.site = f["site"];
  t.modality = f["modality"];
  auto priority = worklist::parsePriority(f["priority"]);
  if (!priority) bad = "priority";
  t.priority = priority.value_or(worklist::Priority::Routine);
  t.due = ms("due_ms");
  t.warn_at = ms("warn_ms");
  auto state = worklist::parseTaskState(f["state"]);
  if (!state) bad = "state";
  t.state = state.value_or(TaskState::Queued);
  t.assigned_reader = f["assigned_reader"];
  t.pool = f["pool"];
  t.claimed_by = f["claimed_by"];
  t.lease_expires = ms("lease_ms");
  t.order.accession_number = f["accession"];
  t.order.placer_order_number = f["placer"];
  t.order.procedure_code = f["procedure_code"];
  t.order.procedure_text = f["procedure_text"];
  t.order.reason_for_exam = f["reason_for_exam"];
  t.order.ordering_provider = f["ordering_provider"];
  t.patient.patient_id = f["patient_id"];
  t.patient.name = f["patient_name"];
  t.patient.age = f["patient_age"];
  t.patient.sex = f["patient_sex"];
  t.times.ordered = ms("ordered_ms");
  t.times.first_image = ms("first_image_ms");
  t.times.study_complete = ms("study_complete_ms");
  t.times.created = ms("created_ms");
  t.times.assigned = ms("assigned_ms");
  t.times.claimed = ms("claimed_ms");
  t.times.started = ms("started_ms");
  t.times.preliminary = ms("preliminary_ms");
  t.times.final_report = ms("final_ms");
  t.times.delivered = ms("delivered_ms");
  t.tags = splitList(f["tags"]);
  t.decision_id = f["decision_id"];
  if (!f["rvu"].empty()) {
    auto [ptr, ec] = std::from_chars(f["rvu"].data(), f["rvu"].data() + f["rvu"].size(), t.rvu);
    if (ec != std::errc()) bad = "rvu";
  }
  t.last_delivery_id = f["delivery_id"];
  t.report_hash = f["report_hash"];
  t.sla_warned = f["sla_warned"] == "1";
  t.sla_breached = f["sla_breached"] == "1";
  if (!parseLong(f["version"], t.version)) bad = "version";
  if (!bad.empty()) {
    return makeError(ErrorCode::InvalidInput, "stored task has an unreadable " + bad,
                     "task " + t.id);
  }
  return t;
}

std::string packTask(const FieldList& fields) {
  std::string out;
  out.reserve(1024);
  for (const auto& [name, value] : fields) {
    for (const std::string* part : {&name, &value}) {
      out += std::to_string(part->size());
      out += ':';
      out += *part;
    }
  }
  return out;
}

Result<Task> unpackTask(std::string_view packed) {
  std::vector<std::string> field_values;
  field_values.reserve(80);
  std::size_t at = 0;
  while (at < packed.size()) {
    const std::size_t colon = packed.find(':', at);
    std::size_t length = 0;
    if (colon == std::string_view::npos) break;
    auto [ptr, ec] = std::from_chars(packed.data() + at, packed.data() + colon, length);
    if (ec != std::errc() || ptr != packed.data() + colon || length > packed.size() - colon - 1) {
      return makeError(ErrorCode::InvalidInput, "stored task packing is unreadable");
    }
    field_values.emplace_back(packed.substr(colon + 1, length));
    at = colon + 1 + length;
  }
  if (at != packed.size() || field_values.size() % 2 != 0) {
    return makeError(ErrorCode::InvalidInput, "stored task packing is unreadable");
  }
  return decodeTask(field_values);
}

std::string encodeEvent(const TaskEvent& e) {
  nlohmann::json j = {{"type", e.type},
                      {"at_ms", toEpochMs(e.at)},
                      {"actor", e.actor},
                      {"from", worklist::taskStateName(e.from)},
                      {"to", worklist::taskStateName(e.to)}};
  if (!e.reason.empty()) j["reason"] = e.reason;
  if (!e.reader.empty()) j["reader"] = e.reader;
  if (!e.previous_holder.empty()) j["previous_holder"] = e.previous_holder;
  return j.dump();
}

Result<TaskEvent> decodeEvent(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return makeError(ErrorCode::InvalidInput, "stored task event is not JSON");
  }
  TaskEvent e;
  e.type = j.value("type", "");
  e.at = fromEpochMs(j.value("at_ms", 0LL));
  e.actor = j.value("actor", "");
  e.reason = j.value("reason", "");
  e.reader = j.value("reader", "");
  e.previous_holder = j.value("previous_holder", "");
  e.from = worklist::parseTaskState(j.value("from", "")).value_or(TaskState::Queued);
  e.to = worklist::parseTaskState(j.value("to", "")).value_or(TaskState::Queued);
  return e;
}

std::string encodeBreach(const worklist::SlaBreachRecord& b) {
  nlohmann::json j = {{"task_id", b.task_id},
                      {"site", b.site},
                      {"modality", b.modality},
                      {"priority", orderPriorityName(b.priority)},
                      {"reader", b.reader},
                      {"state", worklist::taskStateName(b.state)},
                      {"cause", b.cause},
                      {"due_ms", toEpochMs(b.due)},
                      {"at_ms", toEpochMs(b.at)}};
  return j.dump();
}

Result<worklist::SlaBreachRecord> decodeBreach(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return makeError(ErrorCode::InvalidInput, "stored SLA breach is not JSON");
  }
  worklist::SlaBreachRecord b;
  b.task_id = j.value("task_id", "");
  b.site = j.value("site", "");
  b.modality = j.value("modality", "");
  b.priority = worklist::parsePriority(j.value("priority", "")).value_or(worklist::Priority::Routine);
  b.reader = j.value("reader", "");
  b.state = worklist::parseTaskState(j.value("state", "")).value_or(TaskState::Queued);
  b.cause = j.value("cause", "");
  b.due = fromEpochMs(j.value("due_ms", 0LL));
  b.at = fromEpochMs(j.value("at_ms", 0LL));
  return b;
}

}  // namespace sundial::adapters::redis
