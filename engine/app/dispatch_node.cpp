#include "engine/app/dispatch_node.h"

#include "adapters/redis/redis_cluster_lease.h"
#include "adapters/redis/redis_decision_log.h"
#include "adapters/redis/redis_dispatch_queue.h"
#include "adapters/redis/redis_reader_presence.h"
#include "adapters/redis/redis_state_store.h"
#include "engine/domain/log.h"
#include "engine/roster/roster_from_config.h"
#include "rules/engine/rule_set.h"
#include "engine/domain/thread_name.h"

namespace sundial::app {

struct DispatchNode::ThreadParts {
  std::unique_ptr<adapters::redis::RedisDispatchQueue> queue;
  std::unique_ptr<adapters::redis::RedisStateStore> studies;
  std::unique_ptr<engine::OrderLookup> orders;
  std::unique_ptr<adapters::redis::RedisReaderPresence> presence;
  std::unique_ptr<adapters::redis::RedisDecisionLog> decisions;
  std::unique_ptr<adapters::redis::RedisClusterLease> lease;
};

DispatchNode::DispatchNode(std::shared_ptr<const config::Config> config,
                           adapters::redis::RedisClientOptions redis, const Clock& clock,
                           engine::Metrics& metrics, engine::AuditSink& audit,
                           worklist::TaskService& tasks, engine::Spool& spool)
    : config_(std::move(config)),
      redis_(std::move(redis)),
      clock_(clock),
      metrics_(metrics),
      audit_(audit),
      tasks_(tasks),
      spool_(spool) {
  const std::string& prefix = config_->redis.key_prefix;
  order_listener_ = std::make_unique<engine::OrderChangeListener>(
      std::make_unique<adapters::redis::RedisDispatchQueue>(redis_, prefix),
      std::make_unique<adapters::redis::RedisStateStore>(redis_, prefix, config_->node.name),
      spool_, clock_);
  redispatch_queue_ = std::make_unique<adapters::redis::RedisDispatchQueue>(redis_, prefix);
}

DispatchNode::~DispatchNode() { stop(); }

Result<void> DispatchNode::load() {
  auto roster = engine::rosterFromConfig(*config_);
  if (!roster) return roster.error();
  auto rule_set = rules::readRuleFolder(config_->rules.folder);
  if (!rule_set) return rule_set.error();
  rules::RuleEngineOptions options;
  options.limits.instructions = config_->rules.call_instructions;
  options.limits.wall_time = config_->rules.call_time_limit;
  options.limits.memory_bytes = config_->rules.memory_bytes;
  engine::AuditSink* audit = &audit_;
  options.on_alert = [audit](const rules::RuleAlert& alert) {
    engine::AuditRecord record;
    record.action = "rule.alert";
    record.actor = "engine";
    record.outcome = "failure";
    record.site = alert.site;
    record.details["kind"] = alert.kind;
    record.details["message"] = alert.message;
    record.details["rule_set_version"] = alert.rule_set_version;
    audit->record(std::move(record));
  };
  rules_ = std::make_unique<rules::RuleEngine>(roster.value(), rule_set.value(), options);
  reloader_ = std::make_unique<rules::RuleReloader>(*rules_, config_->rules.folder,
                                                    config_->rules.reload_interval);
  log::info("rules_loaded", {{"folder", config_->rules.folder.string()},
                             {"version", rule_set.value()->version.substr(0, 12)},
                             {"files", std::to_string(rule_set.value()->rules.size())},
                             {"readers", std::to_string(roster.value()->readers.size())}});
  return okResult();
}

void DispatchNode::start(std::unique_ptr<engine::OrderLookup> lookup) {
  const std::string& prefix = config_->redis.key_prefix;
  parts_ = std::make_unique<ThreadParts>();
  parts_->queue = std::make_unique<adapters::redis::RedisDispatchQueue>(redis_, prefix);
  parts_->studies =
      std::make_unique<adapters::redis::RedisStateStore>(redis_, prefix, config_->node.name);
  parts_->orders = std::move(lookup);
  parts_->presence = std::make_unique<adapters::redis::RedisReaderPresence>(
      redis_, prefix, config_->worklist.reader_offline_after);
  parts_->decisions = std::make_unique<adapters::redis::RedisDecisionLog>(redis_, prefix);
  engine::DispatcherOptions options;
  dispatcher_ = std::make_unique<engine::Dispatcher>(
      config_,
      engine::DispatcherParts{*parts_->queue, *parts_->studies, *parts_->orders, *rules_, tasks_,
                              *parts_->presence, *parts_->decisions, audit_, spool_},
      clock_, metrics_, options);
  parts_->lease = std::make_unique<adapters::redis::RedisClusterLease>(redis_, prefix);
  dispatcher_->shareSweepsThrough(*parts_->lease, config_->node.name);
  reloader_->start();
  thread_ = std::thread([this] {
    nameThisThread("dispatcher");
    dispatcher_->run(stopping_);
  });
}

void DispatchNode::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (reloader_) reloader_->stop();
}

void DispatchNode::redispatch(const worklist::Task& escalated,
                              const std::string& breached_reader) {
  if (escalated.study_uids.empty()) return;
  const std::string& study = escalated.study_uids.front();
  std::lock_guard lock(redispatch_mutex_);
  if (!breached_reader.empty()) (void)redispatch_queue_->exclude(study, breached_reader);
  if (auto queued = redispatch_queue_->requeue(study, clock_.utcNow()); !queued) {
    log::warn("redispatch_failed", {{"task", escalated.id}, {"reason", queued.error().describe()}});
  }
}

}  // namespace sundial::app
