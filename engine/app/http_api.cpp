#include "engine/app/http_api.h"

#include <nlohmann/json.hpp>

#include "adapters/http/error_status.h"
#include "engine/app/api_json.h"
#include "engine/domain/clock.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;

constexpr int kDefaultStudyLimit = 100;
constexpr int kMaxStudyLimit = 1000;

}  // namespace

HttpApi::HttpApi(std::shared_ptr<const config::Config> config,
                 std::unique_ptr<engine::StateStore> store,
                 std::unique_ptr<engine::ForwardQueue> queue, engine::Metrics& metrics,
                 const std::atomic<bool>& accepting)
    : config_(std::move(config)),
      store_(std::move(store)),
      queue_(std::move(queue)),
      metrics_(metrics),
      accepting_(accepting) {}

void HttpApi::install(adapters::http::HttpServer& server) {
  server.route("GET", "/healthz", [this](const Request&) { return health(); });
  server.route("GET", "/metrics", [this](const Request&) { return metrics(); });
  server.route("GET", "/api/v1/studies", [this](const Request& r) { return studies(r); });
  server.route("GET", "/api/v1/destinations", [this](const Request&) { return destinations(); });
  metrics_.addCollector([this](std::string& out) { collectQueueDepths(out); });
}

Response HttpApi::health() {
  Result<void> store_ok = [&] {
    std::lock_guard lock(mutex_);
    return store_->ping();
  }();
  bool accepting = accepting_.load();
  json body = {{"status", store_ok && accepting ? "ok" : "degraded"},
               {"accepting_instances", accepting},
               {"state_store", store_ok ? "ok" : store_ok.error().describe()}};
  return jsonResponse(store_ok && accepting ? 200 : 503, body);
}

Response HttpApi::metrics() {
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.renderPrometheus();
  return response;
}

Response HttpApi::studies(const Request& request) {
  auto limit = limitParam(request, kDefaultStudyLimit, kMaxStudyLimit);
  if (!limit) return adapters::http::errorResponse(limit.error());
  auto listed = [&] {
    std::lock_guard lock(mutex_);
    return store_->listStudies(limit.value());
  }();
  if (!listed) return describedError(listed.error());
  json studies = json::array();
  for (const engine::StudySummary& s : listed.value()) {
    json destinations = json::array();
    for (const engine::DestinationProgress& d : s.destinations) {
      destinations.push_back({{"destination", d.destination},
                              {"pending", d.pending},
                              {"sent", d.sent},
                              {"failed", d.failed}});
    }
    studies.push_back({{"study_uid", s.study_uid},
                       {"site", s.site},
                       {"modality", s.modality},
                       {"state", engine::studyStateName(s.state)},
                       {"instances", s.instances},
                       {"bytes", s.bytes},
                       {"first_received_at_ms", epochMsOrNull(s.first_received_at)},
                       {"last_received_at_ms", epochMsOrNull(s.last_received_at)},
                       {"completed_at_ms", epochMsOrNull(s.completed_at)},
                       {"destinations", destinations}});
  }
  return jsonResponse(200, {{"studies", studies}});
}

Response HttpApi::destinations() {
  json out = json::array();
  std::lock_guard lock(mutex_);
  for (const config::DestinationConfig& d : config_->destinations) {
    auto depth = queue_->depth(d.name);
    if (!depth) return describedError(depth.error());
    auto dead = queue_->deadLetters(d.name, 20);
    json dead_json = json::array();
    if (dead) {
      for (const engine::DeadLetter& letter : dead.value()) {
        dead_json.push_back({{"sop_instance_uid", letter.sop_instance_uid},
                             {"study_uid", letter.study_uid},
                             {"reason", letter.reason},
                             {"at_ms", epochMsOrNull(letter.at)}});
      }
    }
    out.push_back({{"name", d.name},
                   {"ae_title", d.ae_title},
                   {"host", d.host},
                   {"port", d.port},
                   {"mode", config::forwardModeName(d.mode)},
                   {"queue", {{"ready", depth->ready},
                              {"in_flight", depth->in_flight},
                              {"waiting", depth->waiting},
                              {"dead", depth->dead}}},
                   {"recent_dead_letters", dead_json}});
  }
  return jsonResponse(200, {{"destinations", out}});
}

void HttpApi::collectQueueDepths(std::string& out) {
  struct Series {
    const char* name;
    const char* help;
    long long engine::QueueDepth::*field;
  };
  static const Series kSeries[] = {
      {"sundial_forward_queue_ready", "Forward jobs ready to send", &engine::QueueDepth::ready},
      {"sundial_forward_queue_in_flight", "Forward jobs being sent", &engine::QueueDepth::in_flight},
      {"sundial_forward_queue_waiting", "Forward jobs waiting to retry", &engine::QueueDepth::waiting},
      {"sundial_forward_queue_dead", "Forward jobs dead-lettered", &engine::QueueDepth::dead},
  };
  std::vector<std::pair<std::string, engine::QueueDepth>> depths;
  {
    std::lock_guard lock(mutex_);
    for (const config::DestinationConfig& d : config_->destinations) {
      auto depth = queue_->depth(d.name);
      if (depth) depths.emplace_back(d.name, depth.value());
    }
  }
  for (const Series& series : kSeries) {
    out += std::string("# HELP ") + series.name + " " + series.help + "\n";
    out += std::string("# TYPE ") + series.name + " gauge\n";
    for (const auto& [name, depth] : depths) {
      out += std::string(series.name) + engine::renderLabels({{"destination", name}}) + " " +
             std::to_string(depth.*series.field) + "\n";
    }
  }
}

}  // namespace sundial::app
