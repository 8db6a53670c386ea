// The reader board, reader presence and the sites' SLA status (see worklist_api.h).

#include <map>
#include <nlohmann/json.hpp>

#include "adapters/http/error_status.h"
#include "engine/app/api_json.h"
#include "engine/app/worklist_api.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;

// Open tasks looked at per site for its SLA status.
constexpr std::size_t kSiteStatusLimit = 1000;

double minutes(std::chrono::milliseconds ms) { return static_cast<double>(ms.count()) / 60'000.0; }

}  // namespace

void WorklistApi::installBoardRoutes(adapters::http::HttpServer& server) {
  // Dispatchers, admins and readers (the board shows who is on, and their load).
  server.route("GET", "/api/v1/readers", [this](const Request& r) { return readerBoard(r); });
  // A reader for themselves; dispatchers for anyone: heartbeat, online, offline.
  server.route("POST", "/api/v1/readers/*", [this](const Request& r) { return readerCommand(r); });
  // Everyone with access to the worklist (site viewers: their sites).
  server.route("GET", "/api/v1/sites", [this](const Request& r) { return sites(r); });
}

bool WorklistApi::isKnownReader(const std::string& reader) const {
  if (config_->readers.empty()) return true;  // no roster configured: any reader name
  for (const auto& r : config_->readers) {
    if (r.id == reader) return true;
  }
  return false;
}

std::vector<std::string> WorklistApi::renewLeases(const std::string& reader,
                                                  const std::string& actor) {
  std::vector<std::string> renewed;
  worklist::TaskFilter filter;
  filter.reader = reader;
  filter.states = {worklist::TaskState::Claimed, worklist::TaskState::InProgress};
  filter.limit = kSiteStatusLimit;
  auto held = tasks_.list(filter);
  if (!held) return renewed;
  for (const auto& task : held.value()) {
    if (task.claimed_by != reader) continue;
    if (tasks_.apply(task.id, worklist::command::RenewLease{reader}, actor)) renewed.push_back(task.id);
  }
  return renewed;
}

Response WorklistApi::readerBoard(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  if (!caller.reads_all && caller.reader_id.empty()) {
    return jsonError(403, "only dispatchers and readers see the reader board");
  }
  std::vector<std::string> ids;
  for (const auto& reader : config_->readers) ids.push_back(reader.id);
  if (auto it = request.query.find("reader"); it != request.query.end()) {
    if (!isKnownReader(it->second)) return jsonError(404, "no reader " + it->second);
    ids = {it->second};
  }
  const UtcTime now = tasks_.clock().utcNow();
  Result<std::vector<worklist::ReaderLoad>> loads = [&] {
    std::lock_guard lock(presence_mutex_);
    return presence_->load(ids, now);
  }();
  if (!loads) return adapters::http::errorResponse(loads.error());
  json readers = json::array();
  for (const auto& load : loads.value()) {
    // The same schedule check the dispatcher makes (the reader's weekly shifts in the
    // reader's own time zone) at the time of this request; null for a reader not on the
    // roster, whose schedule nobody knows.
    const rules::ReaderProfile* profile = roster_ ? roster_->findReader(load.reader) : nullptr;
    readers.push_back({{"reader", load.reader},
                       {"online", load.online},
                       {"last_heartbeat_ms", epochMsOrNull(load.last_heartbeat)},
                       {"open_tasks", load.open_tasks},
                       {"claimed_tasks", load.claimed_tasks},
                       {"open_rvu", load.open_rvu},
                       {"on_shift", profile ? json(profile->onShiftAt(now)) : json(nullptr)},
                       {"time_zone", profile ? json(profile->time_zone) : json(nullptr)}});
  }
  return jsonResponse(200, {{"readers", readers}, {"now_ms", toEpochMs(now)}});
}

Response WorklistApi::readerCommand(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  const std::string& tail = request.path_tail;
  const std::size_t slash = tail.find('/');
  if (slash == std::string::npos || tail.find('/', slash + 1) != std::string::npos) {
    return jsonError(404, "no such path: POST /api/v1/readers/{id}/{heartbeat|online|offline}");
  }
  const std::string reader = tail.substr(0, slash);
  const std::string action = tail.substr(slash + 1);
  if (action != "heartbeat" && action != "online" && action != "offline") {
    return jsonError(404, "unknown action '" + action + "'");
  }
  if (caller.actingReader(reader) != reader) {
    return jsonError(403, "a reader signs in and out only as themselves");
  }
  if (!isKnownReader(reader)) return jsonError(404, "no reader " + reader);
  const UtcTime now = tasks_.clock().utcNow();
  Result<void> done = [&] {
    std::lock_guard lock(presence_mutex_);
    return action == "offline" ? presence_->signOff(reader, now) : presence_->heartbeat(reader, now);
  }();
  if (!done) return adapters::http::errorResponse(done.error());
  json body = {{"reader", reader}, {"online", action != "offline"}, {"at_ms", toEpochMs(now)}};
  // A reader who is still here keeps their claims.
  if (action != "offline") body["renewed"] = renewLeases(reader, caller.authenticated ? caller.name : reader);
  return jsonResponse(200, body);
}

Response WorklistApi::sites(const Request& request) {
  TaskCaller caller = taskCallerFrom(request.principal);
  if (!caller.reads_all && caller.reader_id.empty() && caller.sites.empty()) {
    return jsonError(403, "this account may not see the worklist");
  }
  const UtcTime now = tasks_.clock().utcNow();
  json out = json::array();
  for (const config::SiteConfig& site : config_->sites) {
    if (!caller.reads_all && caller.reader_id.empty() &&
        std::find(caller.sites.begin(), caller.sites.end(), site.name) == caller.sites.end()) {
      continue;
    }
    const worklist::SlaTargets& targets = tasks_.sla().targetsFor(site.name);
    worklist::TaskFilter filter;
    filter.sites = {site.name};
    filter.limit = kSiteStatusLimit;
    auto open = tasks_.list(filter);
    if (!open) return adapters::http::errorResponse(open.error());
    std::map<std::string, int> by_priority = {{"STAT", 0}, {"URGENT", 0}, {"ROUTINE", 0}};
    int at_risk = 0, overdue = 0, unassigned = 0;
    UtcTime next_due{};
    for (const auto& task : open.value()) {
      ++by_priority[std::string(orderPriorityName(task.priority))];
      const bool awaiting = task.state != worklist::TaskState::Delivered;
      if (awaiting && task.due <= now) {
        ++overdue;
      } else if (awaiting && task.warn_at <= now) {
        ++at_risk;
      }
      if (task.holder().empty()) ++unassigned;
      if (task.due > now && (next_due == UtcTime{} || task.due < next_due)) next_due = task.due;
    }
    const int total = static_cast<int>(open->size());
    out.push_back({{"name", site.name},
                   {"sla",
                    {{"stat_minutes", minutes(targets.stat)},
                     {"urgent_minutes", minutes(targets.urgent)},
                     {"routine_minutes", minutes(targets.routine)},
                     {"warn_at", targets.warn_fraction}}},
                   {"open_tasks", total},
                   {"open_by_priority", by_priority},
                   {"unassigned", unassigned},
                   {"at_risk", at_risk},
                   {"overdue", overdue},
                   {"status", overdue > 0 ? "breached" : at_risk > 0 ? "at_risk" : "ok"},
                   {"next_due_ms", epochMsOrNull(next_due)},
                   {"viewer_url", site.viewer_url}});
  }
  return jsonResponse(200, {{"sites", out}, {"now_ms", toEpochMs(now)}});
}

}  // namespace sundial::app
