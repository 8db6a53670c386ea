#pragma once
// The HTTP endpoints of issue 2: /healthz, /metrics and /api/v1/studies (plus the forward
// queues per destination). Handlers run on the HTTP server's io thread; the Redis-backed
// store and queue they read belong to this object and are used under its own lock.

#include <atomic>
#include <memory>
#include <mutex>

#include "adapters/http/http_server.h"
#include "engine/config/config.h"
#include "engine/metrics/metrics.h"
#include "engine/store/forward_queue.h"
#include "engine/store/state_store.h"

namespace sundial::app {

class HttpApi {
 public:
  HttpApi(std::shared_ptr<const config::Config> config, std::unique_ptr<engine::StateStore> store,
          std::unique_ptr<engine::ForwardQueue> queue, engine::Metrics& metrics,
          const std::atomic<bool>& accepting);

  // Registers the routes and the queue-depth collector for /metrics.
  void install(adapters::http::HttpServer& server);

 private:
  adapters::http::Response health();
  adapters::http::Response metrics();
  adapters::http::Response studies(const adapters::http::Request& request);
  adapters::http::Response destinations();
  void collectQueueDepths(std::string& out);

  std::shared_ptr<const config::Config> config_;
  std::mutex mutex_;  // guards store_ and queue_ (one Redis connection each)
  std::unique_ptr<engine::StateStore> store_;
  std::unique_ptr<engine::ForwardQueue> queue_;
  engine::Metrics& metrics_;
  const std::atomic<bool>& accepting_;
};

}  // namespace sundial::app
