#pragma once
// The HTTP endpoints of report delivery:
//   GET  /api/v1/reports/outbox              depth per site and recent dead letters (reasons)
//   POST /api/v1/reports/dead/{id}/retry     send a dead-lettered report again
//   POST /api/v1/reports                     queue a report given as JSON for a site
// plus the outbox depth per site on /metrics. Handlers run on the HTTP io thread; the outbox
// they use is thread-safe. Callers: admins and dispatchers (any caller when no authenticator
// is installed).

#include <memory>
#include <string>

#include "adapters/http/http_server.h"
#include "engine/app/report_request.h"
#include "engine/config/config.h"
#include "engine/domain/result.h"
#include "engine/metrics/metrics.h"
#include "engine/reports/durable_report_outbox.h"

namespace sundial::app {

class ReportsApi {
 public:
  ReportsApi(std::shared_ptr<const config::Config> config, engine::DurableReportOutbox& outbox,
             engine::Metrics& metrics);

  void install(adapters::http::HttpServer& server);

  // The handlers install() routes (public so that tests call them without a socket).
  adapters::http::Response outboxState(const adapters::http::Request& request);
  adapters::http::Response retryDead(const adapters::http::Request& request);  // path_tail "<id>/retry"
  adapters::http::Response queueReport(const adapters::http::Request& request);

 private:
  void collectDepths(std::string& out);

  std::shared_ptr<const config::Config> config_;
  engine::DurableReportOutbox& outbox_;
  engine::Metrics& metrics_;
};

}  // namespace sundial::app
