#include "engine/app/reports_api.h"

#include <nlohmann/json.hpp>

#include "engine/app/api_json.h"
#include "adapters/http/error_status.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;

constexpr int kDeadLettersShown = 50;
constexpr std::string_view kRetrySuffix = "/retry";
constexpr std::string_view kRoleAdmin = "admin";
constexpr std::string_view kRoleDispatcher = "dispatcher";

// Admins and dispatchers. Without an authenticator (no principal) the API is as open as the
// rest of it (docs/api.md: keep http_bind on loopback or a management network).
bool allowed(const Request& request) {
  if (!request.principal) return true;
  return request.principal->hasRole(kRoleAdmin) || request.principal->hasRole(kRoleDispatcher);
}

Response forbidden() { return jsonError(403, "only admins and dispatchers may do this"); }

// Who the audit trail names for a change made through the API.
std::string actorOf(const Request& request) {
  if (request.principal && !request.principal->user.empty()) return request.principal->user;
  return "api";
}

}  // namespace

ReportsApi::ReportsApi(std::shared_ptr<const config::Config> config,
                       engine::DurableReportOutbox& outbox, engine::Metrics& metrics)
    : config_(std::move(config)), outbox_(outbox), metrics_(metrics) {}

void ReportsApi::install(adapters::http::HttpServer& server) {
  // Admins and dispatchers: the outbox of every site with a report endpoint.
  server.route("GET", "/api/v1/reports/outbox", [this](const Request& r) { return outboxState(r); });
  // Admins and dispatchers: send a dead-lettered report again.
  server.route("POST", "/api/v1/reports/dead/*", [this](const Request& r) { return retryDead(r); });
  // Admins and dispatchers: queue a report for a site (sites without a reporting system).
  server.route("POST", "/api/v1/reports", [this](const Request& r) { return queueReport(r); });
  metrics_.addCollector([this](std::string& out) { collectDepths(out); });
}

Response ReportsApi::outboxState(const Request& request) {
  if (!allowed(request)) return forbidden();
  json sites = json::array();
  for (const config::SiteConfig* site : outbox_.reportingSites()) {
    auto depth = outbox_.depth(site->name);
    if (!depth) return adapters::http::errorResponse(depth.error());
    auto dead = outbox_.deadLetters(site->name, kDeadLettersShown);
    if (!dead) return adapters::http::errorResponse(dead.error());
    json letters = json::array();
    for (const engine::OutboxDeadLetter& letter : dead.value()) {
      letters.push_back({{"delivery_id", letter.delivery_id},
                         {"task_id", letter.task_id},
                         {"reason", letter.reason},
                         {"attempts", letter.attempts},
                         {"at_ms", epochMsOrNull(letter.at)}});
    }
    sites.push_back({{"site", site->name},
                     {"host", site->reports.host},
                     {"port", site->reports.port},
                     {"hl7_version", site->hl7.version},
                     {"charset", site->hl7.charset},
                     {"queue", {{"ready", depth->ready},
                                {"in_flight", depth->in_flight},
                                {"waiting", depth->waiting},
                                {"dead", depth->dead}}},
                     {"dead_letters", letters}});
  }
  return jsonResponse(200, {{"sites", sites}});
}

Response ReportsApi::retryDead(const Request& request) {
  if (!allowed(request)) return forbidden();
  const std::string& tail = request.path_tail;  // "<id>/retry"
  if (tail.size() <= kRetrySuffix.size() ||
      tail.compare(tail.size() - kRetrySuffix.size(), kRetrySuffix.size(), kRetrySuffix) != 0) {
    return jsonError(404, "expected /api/v1/reports/dead/{delivery_id}/retry");
  }
  const std::string id = tail.substr(0, tail.size() - kRetrySuffix.size());
  if (id.find('/') != std::string::npos) {
    return jsonError(404, "expected /api/v1/reports/dead/{delivery_id}/retry");
  }
  auto site = outbox_.retryDead(id, actorOf(request));
  if (!site) return adapters::http::errorResponse(site.error());
  return jsonResponse(200, {{"delivery_id", id}, {"site", site.value()}, {"state", "ready"}});
}

Response ReportsApi::queueReport(const Request& request) {
  if (!allowed(request)) return forbidden();
  auto parsed = parseReportRequest(request.body);
  if (!parsed) return adapters::http::errorResponse(parsed.error());
  auto id = outbox_.enqueueAs(parsed->report, parsed->task_id, actorOf(request));
  if (!id) {
    // An unknown site is a mistake in the request; a site without an endpoint needs a
    // configuration change first.
    if (id.error().code == ErrorCode::NotFound) return jsonError(400, id.error().message);
    if (id.error().code == ErrorCode::Rejected) return jsonError(409, id.error().message);
    return adapters::http::errorResponse(id.error());
  }
  return jsonResponse(202, {{"delivery_id", id.value()}, {"site", parsed->report.site}});
}

void ReportsApi::collectDepths(std::string& out) {
  struct Series {
    const char* name;
    const char* help;
    long long engine::OutboxDepth::*field;
  };
  static const Series kSeries[] = {
      {"sundial_report_queue_ready", "Reports ready to send", &engine::OutboxDepth::ready},
      {"sundial_report_queue_in_flight", "Reports being sent", &engine::OutboxDepth::in_flight},
      {"sundial_report_queue_waiting", "Reports waiting to retry", &engine::OutboxDepth::waiting},
      {"sundial_report_queue_dead", "Reports dead-lettered", &engine::OutboxDepth::dead},
  };
  std::vector<std::pair<std::string, engine::OutboxDepth>> depths;
  for (const config::SiteConfig* site : outbox_.reportingSites()) {
    auto depth = outbox_.depth(site->name);
    if (depth) depths.emplace_back(site->name, depth.value());
  }
  for (const Series& series : kSeries) {
    out += std::string("# HELP ") + series.name + " " + series.help + "\n";
    out += std::string("# TYPE ") + series.name + " gauge\n";
    for (const auto& [name, depth] : depths) {
      out += std::string(series.name) + engine::renderLabels({{"site", name}}) + " " +
             std::to_string(depth.*series.field) + "\n";
    }
  }
}

}  // namespace sundial::app
