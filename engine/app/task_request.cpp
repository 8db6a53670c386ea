#include "engine/app/task_request.h"

#include <charconv>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "engine/app/task_cursor.h"
#include "engine/domain/clock.h"

namespace sundial::app {
namespace {

using nlohmann::json;

Error invalid(std::string message) { return makeError(ErrorCode::InvalidInput, std::move(message)); }

// The body as a JSON object; an empty body is an empty object.
Result<json> parseObject(const std::string& text) {
  if (text.empty()) return json::object();
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) return invalid("the body is not valid JSON");
  if (!body.is_object()) return invalid("the body must be a JSON object");
  return body;
}

Result<void> checkKnownKeys(const json& body, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : body.items()) {
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (!found) return invalid("unknown field '" + key + "'");
  }
  return okResult();
}

Result<std::string> stringField(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return invalid(std::string(key) + " must be a string");
  return it->get<std::string>();
}

Result<std::optional<long long>> msField(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<long long>{};
  if (!it->is_number_integer() || it->get<long long>() < 0 ||
      !isUtcEpochMs(it->get<long long>())) {
    return invalid(std::string(key) + " must be milliseconds since the epoch (an integer)");
  }
  return std::optional<long long>(it->get<long long>());
}

Result<std::vector<std::string>> stringListField(const json& body, const char* key) {
  std::vector<std::string> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return invalid(std::string(key) + " must be a list of strings");
  for (const auto& item : *it) {
    if (!item.is_string()) return invalid(std::string(key) + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<long long> parseMsParam(const std::string& name, const std::string& text) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0 ||
      !isUtcEpochMs(value)) {
    return invalid(name + " must be milliseconds since the epoch");
  }
  return value;
}

std::vector<std::string> splitComma(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

Result<ReportStatus> reportStatusFrom(const std::string& text) {
  if (text == "preliminary") return ReportStatus::Preliminary;
  if (text == "final") return ReportStatus::Final;
  if (text == "corrected") return ReportStatus::Corrected;
  return invalid("status must be preliminary, final or corrected");
}

Result<worklist::IncomingReport> reportFrom(const json& body) {
  if (auto ok = checkKnownKeys(body, {"reader", "status", "text", "reason"}); !ok) return ok.error();
  auto status_text = stringField(body, "status");
  if (!status_text) return status_text.error();
  auto text = stringField(body, "text");
  if (!text) return text.error();
  auto status = reportStatusFrom(status_text.value());
  if (!status) return status.error();
  if (text->empty()) return invalid("text: the report text is required");
  worklist::IncomingReport report;
  report.status = status.value();
  report.text = std::move(text.value());
  return report;
}

// Reads fields one after the other and keeps the first problem, so that a long list of
// fields reads as a list.
class FieldReader {
 public:
  template <typename T, typename Out>
  void take(Result<T> result, Out& out) {
    if (problem_) return;
    if (!result) {
      problem_ = result.error();
      return;
    }
    out = std::move(result.value());
  }
  void fail(Error error) {
    if (!problem_) problem_ = std::move(error);
  }
  const std::optional<Error>& problem() const { return problem_; }

 private:
  std::optional<Error> problem_;
};

}  // namespace

Result<worklist::TaskFilter> taskFilterFrom(const std::map<std::string, std::string>& q) {
  worklist::TaskFilter filter;
  filter.limit = kDefaultTaskLimit;
  static const std::set<std::string> kKnown = {"reader", "site", "priority", "state",
                                               "due_before", "due_after", "limit", "after"};
  for (const auto& [key, value] : q) {
    if (!kKnown.count(key)) return invalid("unknown parameter '" + key + "'");
  }
  if (auto it = q.find("reader"); it != q.end()) filter.reader = it->second;
  if (auto it = q.find("site"); it != q.end()) filter.sites = splitComma(it->second);
  if (auto it = q.find("priority"); it != q.end()) {
    filter.priority = worklist::parsePriority(it->second);
    if (!filter.priority) return invalid("priority must be STAT, URGENT or ROUTINE");
  }
  if (auto it = q.find("state"); it != q.end()) {
    for (const auto& name : splitComma(it->second)) {
      auto state = worklist::parseTaskState(name);
      if (!state) return invalid("state: unknown state '" + name + "'");
      filter.states.push_back(*state);
    }
  }
  for (const char* name : {"due_before", "due_after"}) {
    auto it = q.find(name);
    if (it == q.end()) continue;
    auto ms = parseMsParam(name, it->second);
    if (!ms) return ms.error();
    (std::string(name) == "due_before" ? filter.due_before : filter.due_after) = fromEpochMs(*ms);
  }
  if (auto it = q.find("limit"); it != q.end()) {
    auto n = parseMsParam("limit", it->second);
    if (!n || *n < 1 || *n > static_cast<long long>(kMaxTaskLimit)) {
      return invalid("limit must be between 1 and 1000");
    }
    filter.limit = static_cast<std::size_t>(*n);
  }
  if (auto it = q.find("after"); it != q.end()) {
    filter.after = parseTaskCursor(it->second);
    if (!filter.after) return invalid("after must be the next_after of a previous page");
  }
  return filter;
}

Result<worklist::NewTask> newTaskFrom(const std::string& text) {
  auto body = parseObject(text);
  if (!body) return body.error();
  const json& b = body.value();
  if (auto ok = checkKnownKeys(b, {"study_uids", "site", "modality", "priority", "due_ms",
                                   "reader", "pool", "order", "patient", "ordered_ms",
                                   "first_image_ms", "study_complete_ms", "tags", "decision_id",
                                   "rvu", "reason"});
      !ok) {
    return ok.error();
  }
  worklist::NewTask task;
  FieldReader read;
  read.take(stringListField(b, "study_uids"), task.study_uids);
  read.take(stringField(b, "site"), task.site);
  read.take(stringField(b, "modality"), task.modality);
  read.take(stringField(b, "reader"), task.reader);
  read.take(stringField(b, "pool"), task.pool);
  read.take(stringListField(b, "tags"), task.tags);
  read.take(stringField(b, "decision_id"), task.decision_id);
  std::string priority_text;
  read.take(stringField(b, "priority"), priority_text);
  std::optional<long long> due, ordered, first_image, complete;
  read.take(msField(b, "due_ms"), due);
  read.take(msField(b, "ordered_ms"), ordered);
  read.take(msField(b, "first_image_ms"), first_image);
  read.take(msField(b, "study_complete_ms"), complete);
  for (const char* section : {"order", "patient"}) {
    auto it = b.find(section);
    if (it != b.end() && !it->is_null() && !it->is_object()) {
      read.fail(invalid(std::string(section) + " must be an object"));
    }
  }
  if (auto it = b.find("order"); !read.problem() && it != b.end() && it->is_object()) {
    const json& o = *it;
    read.take(stringField(o, "accession_number"), task.order.accession_number);
    read.take(stringField(o, "placer_order_number"), task.order.placer_order_number);
    read.take(stringField(o, "procedure_code"), task.order.procedure_code);
    read.take(stringField(o, "procedure_text"), task.order.procedure_text);
    read.take(stringField(o, "reason_for_exam"), task.order.reason_for_exam);
    read.take(stringField(o, "ordering_provider"), task.order.ordering_provider);
  }
  if (auto it = b.find("patient"); !read.problem() && it != b.end() && it->is_object()) {
    const json& p = *it;
    read.take(stringField(p, "name"), task.patient.name);
    read.take(stringField(p, "patient_id"), task.patient.patient_id);
    read.take(stringField(p, "age"), task.patient.age);
    read.take(stringField(p, "sex"), task.patient.sex);
  }
  if (read.problem()) return *read.problem();
  if (auto it = b.find("rvu"); it != b.end() && !it->is_null()) {
    if (!it->is_number()) return invalid("rvu must be a number");
    task.rvu = it->get<double>();
  }
  if (priority_text.empty()) return invalid("priority is required (STAT, URGENT or ROUTINE)");
  auto priority = worklist::parsePriority(priority_text);
  if (!priority) return invalid("priority must be STAT, URGENT or ROUTINE");
  task.priority = *priority;
  if (due) task.due = fromEpochMs(*due);
  if (ordered) task.ordered = fromEpochMs(*ordered);
  if (first_image) task.first_image = fromEpochMs(*first_image);
  if (complete) task.study_complete = fromEpochMs(*complete);
  return task;
}

Result<TaskCommandRequest> taskCommandFrom(const std::string& tail, const std::string& text) {
  const std::size_t slash = tail.find('/');
  if (slash == std::string::npos || tail.find('/', slash + 1) != std::string::npos) {
    return makeError(ErrorCode::NotFound, "no such path: POST /api/v1/tasks/{id}/{action}");
  }
  TaskCommandRequest command;
  command.task_id = tail.substr(0, slash);
  command.action = tail.substr(slash + 1);
  auto body = parseObject(text);
  if (!body) return body.error();
  const json& b = body.value();
  auto reader = stringField(b, "reader");
  if (!reader) return reader.error();
  auto reason = stringField(b, "reason");
  if (!reason) return reason.error();
  command.reader = std::move(reader.value());
  command.reason = std::move(reason.value());
  if (command.action == "report") {
    auto report = reportFrom(b);
    if (report) {
      command.report = std::move(report.value());
    } else {
      command.action_problem = report.error();
    }
  } else if (command.action == "unassign") {
    auto pool = stringField(b, "pool");
    if (pool) {
      command.pool = std::move(pool.value());
    } else {
      command.action_problem = pool.error();
    }
  }
  return command;
}

}  // namespace sundial::app
