#include "engine/app/worklist_node.h"

#include "adapters/redis/redis_reader_presence.h"
#include "adapters/redis/redis_task_store.h"
#include "engine/app/task_event_stream.h"
#include "engine/app/worklist_api.h"

namespace sundial::app {
namespace {

worklist::SlaTargets targetsFrom(const config::SlaTargetsConfig& c) {
  worklist::SlaTargets t;
  t.stat = c.stat;
  t.urgent = c.urgent;
  t.routine = c.routine;
  t.warn_fraction = c.warn_at;
  return t;
}

}  // namespace

worklist::SlaPolicy slaPolicyFrom(const config::Config& config) {
  const worklist::SlaTargets defaults = targetsFrom(config.worklist.sla);
  std::map<std::string, worklist::SlaTargets> by_site;
  for (const config::SiteConfig& site : config.sites) {
    worklist::SlaTargets t = defaults;
    if (site.sla.stat) t.stat = *site.sla.stat;
    if (site.sla.urgent) t.urgent = *site.sla.urgent;
    if (site.sla.routine) t.routine = *site.sla.routine;
    if (site.sla.warn_at) t.warn_fraction = *site.sla.warn_at;
    by_site.emplace(site.name, t);
  }
  return worklist::SlaPolicy(defaults, std::move(by_site));
}

worklist::RvuTable rvuTableFrom(const config::Config& config) {
  const auto& rvu = config.worklist.rvu;
  return worklist::RvuTable(rvu.default_rvu, rvu.by_modality, rvu.by_procedure);
}

worklist::LifecyclePolicy lifecyclePolicyFrom(const config::Config& config) {
  return worklist::LifecyclePolicy{config.worklist.claim_lease};
}

WorklistNode::WorklistNode(std::shared_ptr<const config::Config> config,
                           adapters::redis::RedisClientOptions redis, const Clock& clock,
                           engine::AuditSink* audit, engine::ReportOutbox* outbox)
    : config_(std::move(config)), redis_(std::move(redis)), clock_(clock) {
  tasks_ = std::make_unique<worklist::TaskService>(
      std::make_unique<adapters::redis::RedisTaskStore>(redis_, config_->redis.key_prefix), clock_,
      audit ? *audit : null_audit_, slaPolicyFrom(*config_), lifecyclePolicyFrom(*config_),
      rvuTableFrom(*config_));
  reports_ = std::make_unique<worklist::ReportIntake>(*tasks_, outbox);
  api_ = std::make_unique<WorklistApi>(
      config_, *tasks_, *reports_,
      std::make_unique<adapters::redis::RedisReaderPresence>(
          redis_, config_->redis.key_prefix, config_->worklist.reader_offline_after));
  auto config_for_urls = config_;
  events_ = std::make_unique<TaskEventStream>(
      std::make_unique<adapters::redis::RedisTaskStore>(redis_, config_->redis.key_prefix), clock_,
      [config_for_urls](const std::string& site) {
        const config::SiteConfig* found = config_for_urls->findSite(site);
        return found ? found->viewer_url : std::string();
      });
}

WorklistNode::~WorklistNode() { stop(); }

void WorklistNode::installRoutes(adapters::http::HttpServer& server) {
  api_->install(server);
  // Everyone with access to the worklist; each client gets the changes maySee() allows.
  server.route("GET", "/api/v1/events",
               [this](const adapters::http::Request& r) { return events_->subscribe(r); });
}

void WorklistNode::start() { events_->start(); }

void WorklistNode::stop() {
  if (events_) events_->stop();
}

}  // namespace sundial::app
