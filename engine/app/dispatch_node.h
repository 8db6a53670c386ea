#pragma once
// The dispatcher on one node, built from the configuration: the roster, the rule folder
// (compiled, hot reloaded), the rule engine, and the dispatcher thread with its own Redis
// connections; the order-change listener that orders tells about late orders, cancels and
// merges; re-dispatch of escalated tasks for the worklist's SLA timers. Only when the
// configuration names a rule folder: without one, studies go only where their site sends
// them and no read task is created.

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/redis/redis_client.h"
#include "engine/audit/audit_sink.h"
#include "engine/config/config.h"
#include "engine/dispatch/dispatch_queue.h"
#include "engine/dispatch/dispatcher.h"
#include "engine/dispatch/order_change_listener.h"
#include "engine/domain/clock.h"
#include "engine/metrics/metrics.h"
#include "engine/orders/order_lookup.h"
#include "engine/store/spool.h"
#include "rules/engine/rule_engine.h"
#include "rules/engine/rule_reloader.h"
#include "worklist/task_service.h"

namespace sundial::app {

class DispatchNode {
 public:
  DispatchNode(std::shared_ptr<const config::Config> config,
               adapters::redis::RedisClientOptions redis, const Clock& clock,
               engine::Metrics& metrics, engine::AuditSink& audit, worklist::TaskService& tasks,
               engine::Spool& spool);
  ~DispatchNode();

  // Reads the roster and the rule folder: a broken rule set stops start-up with file:line.
  Result<void> load();
  // For orders (OrdersService::addListener) before it starts.
  engine::OrderListener& orderListener() { return *order_listener_; }
  // Starts the dispatcher thread and the rule reloader; `lookup` is the orders' lookup for
  // the dispatcher thread.
  void start(std::unique_ptr<engine::OrderLookup> lookup);
  void stop();

  // The worklist's SLA timers escalated a task: decide again, without the reader who let it
  // breach (`breached_reader`, empty when it sat in a pool). Thread-safe, quick.
  void redispatch(const worklist::Task& escalated, const std::string& breached_reader);

 private:
  std::shared_ptr<const config::Config> config_;
  adapters::redis::RedisClientOptions redis_;
  const Clock& clock_;
  engine::Metrics& metrics_;
  engine::AuditSink& audit_;
  worklist::TaskService& tasks_;
  engine::Spool& spool_;
  std::unique_ptr<rules::RuleEngine> rules_;
  std::unique_ptr<rules::RuleReloader> reloader_;
  std::unique_ptr<engine::OrderChangeListener> order_listener_;
  struct ThreadParts;  // the dispatcher thread's own connections
  std::unique_ptr<ThreadParts> parts_;
  std::unique_ptr<engine::Dispatcher> dispatcher_;
  std::mutex redispatch_mutex_;
  std::unique_ptr<engine::DispatchQueue> redispatch_queue_;  // under redispatch_mutex_
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sundial::app
