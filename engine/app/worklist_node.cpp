#include "engine/app/worklist_node.h"

#include "adapters/http/webhook_sender.h"
#include "adapters/redis/redis_reader_presence.h"
#include "adapters/redis/redis_task_store.h"
#include "engine/app/sla_webhook_notifier.h"
#include "engine/app/task_event_stream.h"
#include "engine/app/tat_api.h"
#include "engine/app/worklist_api.h"
#include "engine/app/worklist_metrics.h"
#include "engine/audit/digest.h"
#include "engine/domain/log.h"
#include "engine/roster/roster_from_config.h"

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
                           engine::Metrics& metrics, engine::AuditSink* audit,
                           engine::ReportOutbox* outbox)
    : config_(std::move(config)), redis_(std::move(redis)), clock_(clock) {
  tasks_ = std::make_unique<worklist::TaskService>(
      std::make_unique<adapters::redis::RedisTaskStore>(redis_, config_->redis.key_prefix), clock_,
      audit ? *audit : null_audit_, slaPolicyFrom(*config_), lifecyclePolicyFrom(*config_),
      rvuTableFrom(*config_));
  metrics_ = std::make_unique<WorklistMetrics>(metrics, *tasks_);
  tasks_->setChangeObserver([m = metrics_.get()](const worklist::Task& after,
                                                 const worklist::TaskEvent& event) {
    m->onChange(after, event);
  });
  reports_ = std::make_unique<worklist::ReportIntake>(
      *tasks_, outbox, [](std::string_view data) { return engine::audit::sha256Hex(data); });
  order_listener_ = std::make_unique<worklist::TaskOrderListener>(*tasks_);
  tat_api_ = std::make_unique<TatApi>(*tasks_);
  if (!config_->worklist.webhook.url.empty()) {
    adapters::http::WebhookOptions options;
    options.url = config_->worklist.webhook.url;
    options.timeout = config_->worklist.webhook.timeout;
    options.max_attempts = config_->worklist.webhook.max_attempts;
    webhook_ = std::make_unique<adapters::http::WebhookSender>(options);
    notifier_ = std::make_unique<SlaWebhookNotifier>(*webhook_);
  }
  // The timer thread shares the service (and its connection) with the API: its Redis calls
  // are short, and the service's lock keeps them apart.
  timers_ = std::make_unique<worklist::SlaTimerLoop>(*tasks_, notifier_.get());
  // Shift schedules for the board, pools and eligibility for claims: the dispatcher's roster.
  std::shared_ptr<const rules::Roster> roster;
  if (auto built = engine::rosterFromConfig(*config_)) {
    roster = std::move(built.value());
  } else {
    // Not expected: the configuration loader checks the roster first. Without it, pool
    // claims are refused (ClaimPolicy fails closed) and the board shows shifts as unknown.
    log::error("worklist_roster_unavailable", {{"reason", built.error().describe()}});
  }
  api_ = std::make_unique<WorklistApi>(
      config_, *tasks_, *reports_,
      std::make_unique<adapters::redis::RedisReaderPresence>(
          redis_, config_->redis.key_prefix, config_->worklist.reader_offline_after),
      roster);
  auto config_for_urls = config_;
  events_ = std::make_unique<TaskEventStream>(
      std::make_unique<adapters::redis::RedisTaskStore>(redis_, config_->redis.key_prefix), clock_,
      [config_for_urls](const std::string& site) {
        const config::SiteConfig* found = config_for_urls->findSite(site);
        return found ? found->viewer_url : std::string();
      },
      ClaimPolicy(roster));
}

WorklistNode::~WorklistNode() { stop(); }

void WorklistNode::installRoutes(adapters::http::HttpServer& server) {
  api_->install(server);
  tat_api_->install(server);
  // Everyone with access to the worklist; each client gets the changes maySee() allows.
  server.route("GET", "/api/v1/events",
               [this](const adapters::http::Request& r) { return events_->subscribe(r); });
}

void WorklistNode::setRedispatchHook(worklist::SlaTimerLoop::RedispatchHook hook) {
  timers_->setRedispatchHook(std::move(hook));
}

void WorklistNode::start() {
  events_->start();
  if (webhook_) {
    if (auto started = webhook_->start(); !started) {
      log::error("sla_webhook_not_started", {{"reason", started.error().describe()}});
    }
  }
  timers_->start();
}

void WorklistNode::stop() {
  if (timers_) timers_->stop();
  if (webhook_) webhook_->stop();
  if (events_) events_->stop();
}

}  // namespace sundial::app
