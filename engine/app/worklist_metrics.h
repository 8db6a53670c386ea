#pragma once
// The worklist's series in /metrics (docs/api.md): turnaround observed as tasks are delivered,
// SLA warnings and breaches, task changes, and the p50/p90/p99 of the last 24 hours per site
// and priority (computed at scrape time from Redis, cached briefly).

#include <chrono>
#include <mutex>
#include <string>

#include "engine/metrics/metrics.h"
#include "worklist/task_service.h"

namespace sundial::app {

class WorklistMetrics {
 public:
  WorklistMetrics(engine::Metrics& metrics, worklist::TaskService& tasks);

  // TaskService's change observer: any thread.
  void onChange(const worklist::Task& after, const worklist::TaskEvent& event);

 private:
  void collect(std::string& out);

  engine::Metrics& metrics_;
  worklist::TaskService& tasks_;
  std::mutex cache_mutex_;  // guards the cached percentile lines
  SteadyTime cached_at_{};
  std::string cached_;
};

}  // namespace sundial::app
