#include "engine/app/worklist_api.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/http/error_status.h"
#include "engine/app/api_json.h"
#include "engine/app/task_cursor.h"
#include "engine/app/task_json.h"
#include "engine/app/task_json_writer.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;
using worklist::Task;
using worklist::TaskState;

constexpr std::size_t kDefaultTaskLimit = 200;
constexpr std::size_t kMaxTaskLimit = 1000;

// Task commands refused by the life cycle are conflicts with the task's current state (409);
// everything else follows the server's one table.
Response taskError(const Error& error) {
  if (error.code == ErrorCode::Rejected) return jsonError(409, error.message);
  return adapters::http::errorResponse(error);
}

Response forbidden(const std::string& what) { return jsonError(403, what); }

// The body as a JSON object; an empty body is an empty object.
Result<json> parseObject(const Request& request) {
  if (request.body.empty()) return json::object();
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return makeError(ErrorCode::InvalidInput, "the body is not valid JSON");
  if (!body.is_object()) return makeError(ErrorCode::InvalidInput, "the body must be a JSON object");
  return body;
}

Result<void> checkKnownKeys(const json& body, std::initializer_list<const char*> known) {
  for (const auto& [key, value] : body.items()) {
    bool found = false;
    for (const char* k : known) found = found || key == k;
    if (!found) return makeError(ErrorCode::InvalidInput, "unknown field '" + key + "'");
  }
  return okResult();
}

Result<std::string> stringField(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return makeError(ErrorCode::InvalidInput, std::string(key) + " must be a string");
  return it->get<std::string>();
}

Result<std::optional<long long>> msField(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<long long>{};
  if (!it->is_number_integer() || it->get<long long>() < 0) {
    return makeError(ErrorCode::InvalidInput,
                     std::string(key) + " must be milliseconds since the epoch (an integer)");
  }
  return std::optional<long long>(it->get<long long>());
}

Result<std::vector<std::string>> stringListField(const json& body, const char* key) {
  std::vector<std::string> out;
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return makeError(ErrorCode::InvalidInput, std::string(key) + " must be a list of strings");
  for (const auto& item : *it) {
    if (!item.is_string()) return makeError(ErrorCode::InvalidInput, std::string(key) + " must be a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<long long> parseMsParam(const std::string& name, const std::string& text) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return makeError(ErrorCode::InvalidInput, name + " must be milliseconds since the epoch");
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

Result<worklist::TaskFilter> filterFrom(const Request& request) {
  worklist::TaskFilter filter;
  filter.limit = kDefaultTaskLimit;
  const auto& q = request.query;
  static const std::set<std::string> kKnown = {"reader", "site", "priority", "state",
                                               "due_before", "due_after", "limit", "after"};
  for (const auto& [key, value] : q) {
    if (!kKnown.count(key)) return makeError(ErrorCode::InvalidInput, "unknown parameter '" + key + "'");
  }
  if (auto it = q.find("reader"); it != q.end()) filter.reader = it->second;
  if (auto it = q.find("site"); it != q.end()) filter.sites = splitComma(it->second);
  if (auto it = q.find("priority"); it != q.end()) {
    filter.priority = worklist::parsePriority(it->second);
    if (!filter.priority) {
      return makeError(ErrorCode::InvalidInput, "priority must be STAT, URGENT or ROUTINE");
    }
  }
  if (auto it = q.find("state"); it != q.end()) {
    for (const auto& name : splitComma(it->second)) {
      auto state = worklist::parseTaskState(name);
      if (!state) return makeError(ErrorCode::InvalidInput, "state: unknown state '" + name + "'");
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
      return makeError(ErrorCode::InvalidInput, "limit must be between 1 and 1000");
    }
    filter.limit = static_cast<std::size_t>(*n);
  }
  if (auto it = q.find("after"); it != q.end()) {
    filter.after = parseTaskCursor(it->second);
    if (!filter.after) {
      return makeError(ErrorCode::InvalidInput, "after must be the next_after of a previous page");
    }
  }
  return filter;
}

Result<ReportStatus> reportStatusFrom(const std::string& text) {
  if (text == "preliminary") return ReportStatus::Preliminary;
  if (text == "final") return ReportStatus::Final;
  if (text == "corrected") return ReportStatus::Corrected;
  return makeError(ErrorCode::InvalidInput, "status must be preliminary, final or corrected");
}

}  // namespace

WorklistApi::WorklistApi(std::shared_ptr<const config::Config> config,
                         worklist::TaskService& tasks, worklist::ReportIntake& reports,
                         std::unique_ptr<worklist::ReaderPresence> presence,
                         std::shared_ptr<const rules::Roster> roster)
    : config_(std::move(config)),
      roster_(std::move(roster)),
      claims_(roster_),
      tasks_(tasks),
      reports_(reports),
      presence_(std::move(presence)) {}

void WorklistApi::install(adapters::http::HttpServer& server) {
  // Everyone with access to the worklist; each sees what maySee() lets them.
  server.route("GET", "/api/v1/tasks", [this](const Request& r) { return listTasks(r); });
  server.route("GET", "/api/v1/tasks/*", [this](const Request& r) { return getTask(r); });
  // Dispatchers and admins.
  server.route("POST", "/api/v1/tasks", [this](const Request& r) { return createTask(r); });
  // Readers for claim/release/start/report (acting as themselves); dispatchers for all.
  server.route("POST", "/api/v1/tasks/*", [this](const Request& r) { return taskCommand(r); });
  installBoardRoutes(server);
}

std::string WorklistApi::viewerUrlTemplate(const std::string& site) const {
  const config::SiteConfig* found = config_->findSite(site);
  return found ? found->viewer_url : std::string();
}

Response WorklistApi::taskResponse(int status, const Task& task, const TaskCaller& caller) {
  TaskJsonOptions options{caller.sees_identity, viewerUrlTemplate(task.site),
                          tasks_.clock().utcNow()};
  return jsonResponse(status, taskToJson(task, options));
}

Response WorklistApi::listTasks(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  auto filter = filterFrom(request);
  if (!filter) return taskError(filter.error());
  if (!caller.reads_all && caller.reader_id.empty() && caller.sites.empty()) {
    return forbidden("this account may not see the worklist");
  }
  if (!caller.reads_all && !caller.sites.empty() && caller.reader_id.empty()) {
    // A site viewer asking for no site gets their own; asking for another site gets nothing.
    if (filter->sites.empty()) filter->sites = caller.sites;
  }
  // The store returns only tasks in the caller's scope (their own, the claimable ones, their
  // sites), so a page is not cut short by what they may not see; maySee() still checks each
  // one, including the pool and eligibility rules (claim_policy.h) the scope leaves out.
  if (!caller.reads_all) filter->scope = worklist::TaskScope{caller.reader_id, caller.sites};
  auto page = visiblePage(caller, filter.value());
  if (!page) return taskError(page.error());
  const UtcTime now = tasks_.clock().utcNow();
  // Written as text (task_json_writer.h): {"next_after":..., "now_ms":..., "tasks":[...]}, keys
  // in the order a JSON object would dump them.
  std::string out;
  out.reserve(page->tasks.size() * 900 + 64);
  out += '{';
  if (page->next_after) {
    out += "\"next_after\":";
    appendJsonString(out, taskCursor(*page->next_after));
    out += ',';
  }
  out += "\"now_ms\":" + std::to_string(toEpochMs(now)) + ",\"tasks\":[";
  bool first = true;
  for (const Task& task : page->tasks) {
    if (!first) out += ',';
    first = false;
    appendTaskJson(out, task, {caller.sees_identity, viewerUrlTemplate(task.site), now});
  }
  out += "]}";
  return jsonTextResponse(200, std::move(out));
}

Result<WorklistApi::VisiblePage> WorklistApi::visiblePage(const TaskCaller& caller,
                                                           worklist::TaskFilter filter) {
  // Closed tasks have no page positions: one read, checked.
  const bool wants_closed =
      std::any_of(filter.states.begin(), filter.states.end(), worklist::isClosed);
  VisiblePage page;
  for (int read = 0; read < kMaxPageReads; ++read) {
    auto tasks = tasks_.list(filter);
    if (!tasks) return tasks.error();
    for (const Task& task : tasks.value()) {
      if (page.tasks.size() == filter.limit) {
        // Full, with tasks left over: the next page starts after the last one kept.
        page.next_after = positionOf(page.tasks.back());
        return page;
      }
      if (maySee(caller, task, claims_)) page.tasks.push_back(task);
    }
    if (wants_closed || tasks->size() < filter.limit) return page;  // nothing more to read
    filter.after = positionOf(tasks->back());
    if (page.tasks.size() == filter.limit) break;
    // The store's page was full but some of it is hidden from this caller (claimable tasks of
    // pools they may not claim from): read on after it, a few times at most.
  }
  // Full, or reading stopped: the next page starts where the reading did, so nothing is
  // skipped (a page of hidden tasks read past is not read again).
  page.next_after = page.tasks.size() == filter.limit ? positionOf(page.tasks.back()) : filter.after;
  return page;
}

Response WorklistApi::getTask(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  const std::string& id = request.path_tail;
  if (id.empty() || id.find('/') != std::string::npos) return jsonError(404, "no such path");
  auto found = tasks_.getWithHistory(id);
  if (!found) return taskError(found.error());
  if (!maySee(caller, found->task, claims_)) return jsonError(404, "no task " + id);
  TaskJsonOptions options{caller.sees_identity, viewerUrlTemplate(found->task.site),
                          tasks_.clock().utcNow()};
  json body = taskToJson(found->task, options);
  json history = json::array();
  for (const auto& event : found->history) history.push_back(eventToJson(event));
  body["history"] = history;
  return jsonResponse(200, body);
}

Response WorklistApi::createTask(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  if (!caller.dispatcher) return forbidden("only dispatchers create tasks");
  auto body = parseObject(request);
  if (!body) return taskError(body.error());
  const json& b = body.value();
  if (auto ok = checkKnownKeys(b, {"study_uids", "site", "modality", "priority", "due_ms",
                                   "reader", "pool", "order", "patient", "ordered_ms",
                                   "first_image_ms", "study_complete_ms", "tags", "decision_id",
                                   "rvu", "reason"});
      !ok) {
    return taskError(ok.error());
  }
  worklist::NewTask task;
  Error problem;
  bool bad = false;
  auto take = [&](auto result, auto& out) {
    if (bad) return;
    if (!result) {
      problem = result.error();
      bad = true;
      return;
    }
    out = std::move(result.value());
  };
  take(stringListField(b, "study_uids"), task.study_uids);
  take(stringField(b, "site"), task.site);
  take(stringField(b, "modality"), task.modality);
  take(stringField(b, "reader"), task.reader);
  take(stringField(b, "pool"), task.pool);
  take(stringListField(b, "tags"), task.tags);
  take(stringField(b, "decision_id"), task.decision_id);
  std::string priority_text;
  take(stringField(b, "priority"), priority_text);
  std::optional<long long> due, ordered, first_image, complete;
  take(msField(b, "due_ms"), due);
  take(msField(b, "ordered_ms"), ordered);
  take(msField(b, "first_image_ms"), first_image);
  take(msField(b, "study_complete_ms"), complete);
  for (const char* section : {"order", "patient"}) {
    if (bad) break;
    auto it = b.find(section);
    if (it != b.end() && !it->is_null() && !it->is_object()) {
      problem = makeError(ErrorCode::InvalidInput, std::string(section) + " must be an object");
      bad = true;
    }
  }
  if (!bad && b.contains("order") && b["order"].is_object()) {
    const json& o = b["order"];
    take(stringField(o, "accession_number"), task.order.accession_number);
    take(stringField(o, "placer_order_number"), task.order.placer_order_number);
    take(stringField(o, "procedure_code"), task.order.procedure_code);
    take(stringField(o, "procedure_text"), task.order.procedure_text);
    take(stringField(o, "reason_for_exam"), task.order.reason_for_exam);
    take(stringField(o, "ordering_provider"), task.order.ordering_provider);
  }
  if (!bad && b.contains("patient") && b["patient"].is_object()) {
    const json& p = b["patient"];
    take(stringField(p, "name"), task.patient.name);
    take(stringField(p, "patient_id"), task.patient.patient_id);
    take(stringField(p, "age"), task.patient.age);
    take(stringField(p, "sex"), task.patient.sex);
  }
  if (bad) return taskError(problem);
  if (auto it = b.find("rvu"); it != b.end() && !it->is_null()) {
    if (!it->is_number()) return jsonError(400, "rvu must be a number");
    task.rvu = it->get<double>();
  }
  if (priority_text.empty()) return jsonError(400, "priority is required (STAT, URGENT or ROUTINE)");
  auto priority = worklist::parsePriority(priority_text);
  if (!priority) return jsonError(400, "priority must be STAT, URGENT or ROUTINE");
  task.priority = *priority;
  if (!config_->findSite(task.site)) return jsonError(400, "site: no site named '" + task.site + "'");
  if (due) task.due = fromEpochMs(*due);
  if (ordered) task.ordered = fromEpochMs(*ordered);
  if (first_image) task.first_image = fromEpochMs(*first_image);
  if (complete) task.study_complete = fromEpochMs(*complete);
  auto created = tasks_.create(task, caller.name);
  if (!created) {
    if (created.error().code == ErrorCode::Duplicate) {
      return jsonResponse(409, {{"error", created.error().message},
                                {"task_id", created.error().context}});
    }
    return taskError(created.error());
  }
  Response response = taskResponse(201, created.value(), caller);
  response.headers.emplace_back("Location", "/api/v1/tasks/" + created->id);
  return response;
}

Response WorklistApi::taskCommand(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  const std::string& tail = request.path_tail;
  const std::size_t slash = tail.find('/');
  if (slash == std::string::npos || tail.find('/', slash + 1) != std::string::npos) {
    return jsonError(404, "no such path: POST /api/v1/tasks/{id}/{action}");
  }
  const std::string id = tail.substr(0, slash);
  const std::string action = tail.substr(slash + 1);
  auto body = parseObject(request);
  if (!body) return taskError(body.error());
  const json& b = body.value();
  auto reader_field = stringField(b, "reader");
  auto reason_field = stringField(b, "reason");
  if (!reader_field) return taskError(reader_field.error());
  if (!reason_field) return taskError(reason_field.error());
  const std::string& reason = reason_field.value();

  // The task must be visible to the caller before anything is said about it — except to a
  // reader claiming a task not theirs to claim, who is told why not (403) rather than that it
  // does not exist: the answer names the pool or the constraint, never the patient.
  auto current = tasks_.get(id);
  if (!current) return taskError(current.error());
  const bool reader_claiming = action == "claim" && !caller.reader_id.empty();
  if (!maySee(caller, current.value(), claims_) && !reader_claiming) {
    return jsonError(404, "no task " + id);
  }

  const bool reader_action = action == "claim" || action == "release" || action == "start" ||
                             action == "report" || action == "renew";
  std::string reader;
  if (reader_action) {
    reader = caller.actingReader(reader_field.value());
    if (reader.empty()) {
      if (!caller.dispatcher && caller.reader_id.empty()) return forbidden("only readers " + action + " tasks");
      if (!caller.reader_id.empty()) return forbidden("a reader acts only as themselves");
      return jsonError(400, "reader is required");
    }
  } else if (!caller.dispatcher) {
    return forbidden("only dispatchers " + action + " tasks");
  }
  const std::string actor = caller.authenticated ? caller.name : (reader.empty() ? "api" : reader);

  Result<Task> result = makeError(ErrorCode::Internal, "no result");
  if (action == "claim") {
    // Pools and eligibility are checked on the very copy the claim is decided on.
    std::optional<ClaimRefusal> refusal;
    auto may_claim = [&](const Task& fresh) -> Result<void> {
      refusal = claims_.check(fresh, reader);
      if (!refusal) return okResult();
      return makeError(ErrorCode::Rejected, refusal->reason, "task " + fresh.id);
    };
    auto claimed = tasks_.applyChange(id, worklist::command::Claim{reader}, actor, may_claim);
    if (!claimed && refusal) {
      // Not the task's state but who asks: forbidden, whatever the task's state.
      return jsonResponse(403, {{"error", "reader " + reader + " may not claim this task: " +
                                              refusal->reason},
                                {"reason", refusal->code},
                                {"task_id", id}});
    }
    if (!claimed) return taskError(claimed.error());
    return taskResponse(200, claimed->task, caller);
  } else if (action == "release") {
    result = tasks_.apply(id, worklist::command::Release{reader, reason}, actor);
  } else if (action == "renew") {
    result = tasks_.apply(id, worklist::command::RenewLease{reader}, actor);
  } else if (action == "start") {
    result = tasks_.apply(id, worklist::command::Start{reader}, actor);
  } else if (action == "report") {
    if (auto ok = checkKnownKeys(b, {"reader", "status", "text", "reason"}); !ok) return taskError(ok.error());
    auto status_text = stringField(b, "status");
    auto text = stringField(b, "text");
    if (!status_text) return taskError(status_text.error());
    if (!text) return taskError(text.error());
    auto status = reportStatusFrom(status_text.value());
    if (!status) return taskError(status.error());
    if (text->empty()) return jsonError(400, "text: the report text is required");
    worklist::IncomingReport report;
    report.status = status.value();
    report.text = text.value();
    report.reader = reader;
    result = reports_.submit(id, report, actor);
  } else if (action == "assign") {
    if (reader_field->empty()) return jsonError(400, "reader is required");
    result = tasks_.apply(id, worklist::command::Assign{reader_field.value(), reason}, actor);
  } else if (action == "unassign") {
    auto pool = stringField(b, "pool");
    if (!pool) return taskError(pool.error());
    result = tasks_.apply(id, worklist::command::ReturnToPool{pool.value(), reason}, actor);
  } else if (action == "cancel") {
    result = tasks_.apply(id, worklist::command::Cancel{reason}, actor);
  } else {
    return jsonError(404, "unknown action '" + action + "'");
  }
  if (!result) return taskError(result.error());
  return taskResponse(200, result.value(), caller);
}

}  // namespace sundial::app
