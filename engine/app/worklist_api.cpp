#include "engine/app/worklist_api.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "adapters/http/error_status.h"
#include "engine/app/api_json.h"
#include "engine/app/task_cursor.h"
#include "engine/app/task_json.h"
#include "engine/app/task_request.h"
#include "engine/app/task_json_writer.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;
using worklist::Task;
using worklist::TaskState;

// Task commands refused by the life cycle are conflicts with the task's current state (409);
// everything else follows the server's one table.
Response taskError(const Error& error) {
  if (error.code == ErrorCode::Rejected) return jsonError(409, error.message);
  return adapters::http::errorResponse(error);
}

Response forbidden(const std::string& what) { return jsonError(403, what); }

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
  auto filter = taskFilterFrom(request.query);
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
  auto parsed = newTaskFrom(request.body);
  if (!parsed) return taskError(parsed.error());
  const worklist::NewTask& task = parsed.value();
  if (!config_->findSite(task.site)) return jsonError(400, "site: no site named '" + task.site + "'");
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
  auto parsed = taskCommandFrom(request.path_tail, request.body);
  if (!parsed) {
    if (parsed.error().code == ErrorCode::NotFound) return jsonError(404, parsed.error().message);
    return taskError(parsed.error());
  }
  const TaskCommandRequest& command = parsed.value();
  const std::string& id = command.task_id;
  const std::string& action = command.action;
  const std::string& reason = command.reason;

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
    reader = caller.actingReader(command.reader);
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
    if (command.action_problem) return taskError(*command.action_problem);
    worklist::IncomingReport report = command.report;
    report.reader = reader;
    result = reports_.submit(id, report, actor);
  } else if (action == "assign") {
    if (command.reader.empty()) return jsonError(400, "reader is required");
    result = tasks_.apply(id, worklist::command::Assign{command.reader, reason}, actor);
  } else if (action == "unassign") {
    if (command.action_problem) return taskError(*command.action_problem);
    result = tasks_.apply(id, worklist::command::ReturnToPool{command.pool, reason}, actor);
  } else if (action == "cancel") {
    result = tasks_.apply(id, worklist::command::Cancel{reason}, actor);
  } else {
    return jsonError(404, "unknown action '" + action + "'");
  }
  if (!result) return taskError(result.error());
  return taskResponse(200, result.value(), caller);
}

}  // namespace sundial::app
