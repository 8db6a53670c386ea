#pragma once
// Turnaround and SLA endpoints (docs/api.md): GET /api/v1/tat (JSON), GET /api/v1/tat.csv and
// GET /api/v1/sla/breaches. Handlers run on the HTTP io threads; TaskService is thread-safe.

#include "adapters/http/http_server.h"
#include "engine/app/task_access.h"
#include "worklist/task_service.h"

namespace sundial::app {

class TatApi {
 public:
  explicit TatApi(worklist::TaskService& tasks) : tasks_(tasks) {}

  void install(adapters::http::HttpServer& server);

  adapters::http::Response tat(const adapters::http::Request& request, bool csv);
  adapters::http::Response breaches(const adapters::http::Request& request);

 private:
  worklist::TaskService& tasks_;
};

}  // namespace sundial::app
