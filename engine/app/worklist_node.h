#pragma once
// Everything the worklist runs on one node, built from the configuration: the task service,
// report intake, the HTTP endpoints and the live updates (Server-Sent Events). serve makes
// one, installs its routes before the HTTP server starts, starts it, and stops it after the
// HTTP server.

#include <memory>

#include "adapters/http/http_server.h"
#include "adapters/redis/redis_client.h"
#include "engine/audit/audit_sink.h"
#include "engine/config/config.h"
#include "engine/domain/clock.h"
#include "engine/metrics/metrics.h"
#include "engine/reports/report_outbox.h"
#include "worklist/report_intake.h"
#include "worklist/sla_timer_loop.h"
#include "worklist/task_order_listener.h"
#include "worklist/task_service.h"

namespace sundial::adapters::http {
class WebhookSender;
}

namespace sundial::app {

class SlaWebhookNotifier;
class TatApi;
class TaskEventStream;
class WorklistApi;
class WorklistMetrics;

// The worklist's policies from the configuration.
worklist::SlaPolicy slaPolicyFrom(const config::Config& config);
worklist::RvuTable rvuTableFrom(const config::Config& config);
worklist::LifecyclePolicy lifecyclePolicyFrom(const config::Config& config);

class WorklistNode {
 public:
  // `audit` and `outbox` may be null (no audit trail / no report delivery on this node);
  // both must outlive the node.
  WorklistNode(std::shared_ptr<const config::Config> config,
               adapters::redis::RedisClientOptions redis, const Clock& clock,
               engine::Metrics& metrics, engine::AuditSink* audit,
               engine::ReportOutbox* outbox);
  ~WorklistNode();

  // Before the server starts: the routes, then the threads (live updates).
  void installRoutes(adapters::http::HttpServer& server);
  void start();
  // After the HTTP server stopped.
  void stop();

  // For other components: the dispatcher creates tasks through it; the inbox's report
  // handler and the outbox's delivery listener go through reports().
  worklist::TaskService& tasks() { return *tasks_; }
  worklist::ReportIntake& reports() { return *reports_; }
  // Register with the orders component (late links, cancellations, merges).
  engine::OrderListener& orderListener() { return *order_listener_; }
  // The dispatcher's re-dispatch of escalated tasks; before start().
  void setRedispatchHook(worklist::SlaTimerLoop::RedispatchHook hook);

 private:
  std::shared_ptr<const config::Config> config_;
  adapters::redis::RedisClientOptions redis_;
  const Clock& clock_;
  engine::NullAuditSink null_audit_;
  std::unique_ptr<worklist::TaskService> tasks_;
  std::unique_ptr<worklist::ReportIntake> reports_;
  std::unique_ptr<WorklistApi> api_;
  std::unique_ptr<TaskEventStream> events_;
  std::unique_ptr<TatApi> tat_api_;
  std::unique_ptr<WorklistMetrics> metrics_;
  std::unique_ptr<worklist::TaskOrderListener> order_listener_;
  std::unique_ptr<adapters::http::WebhookSender> webhook_;
  std::unique_ptr<SlaWebhookNotifier> notifier_;
  std::unique_ptr<worklist::SlaTimerLoop> timers_;
};

}  // namespace sundial::app
