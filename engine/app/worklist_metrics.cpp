#include "engine/app/worklist_metrics.h"

#include <cstdio>

#include "worklist/turnaround.h"

namespace sundial::app {
namespace {

constexpr std::chrono::hours kWindow{24};
constexpr std::chrono::seconds kCacheFor{30};

// TAT buckets in seconds: 5 min to 2 days.
std::vector<double> tatBounds() {
  return {300, 600, 900, 1800, 2700, 3600, 7200, 14400, 28800, 43200, 86400, 172800};
}

std::string seconds(long long ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(ms) / 1000.0);
  return buffer;
}

}  // namespace

WorklistMetrics::WorklistMetrics(engine::Metrics& metrics, worklist::TaskService& tasks)
    : metrics_(metrics), tasks_(tasks) {
  metrics_.addCollector([this](std::string& out) { collect(out); });
}

void WorklistMetrics::onChange(const worklist::Task& after, const worklist::TaskEvent& event) {
  const std::string priority(orderPriorityName(after.priority));
  metrics_.counter("sundial_task_changes_total", "Read task changes, by event", {{"event", event.type}})
      .add();
  if (event.type == worklist::kEventDelivered && after.state == worklist::TaskState::Delivered &&
      event.from == worklist::TaskState::Final && after.times.delivered == event.at) {
    const UtcTime start = worklist::SlaPolicy::clockStart(after.times);
    const double tat = std::chrono::duration<double>(after.times.delivered - start).count();
    metrics_
        .histogram("sundial_tat_seconds",
                   "Contractual turnaround (study complete or later order to final delivered)",
                   {{"site", after.site}, {"priority", priority}}, tatBounds())
        .observe(tat);
    if (after.due != UtcTime{} && after.times.delivered > after.due) {
      metrics_.counter("sundial_sla_missed_total", "Tasks delivered after their due time",
                       {{"site", after.site}, {"priority", priority}})
          .add();
    }
  }
  if (event.type == worklist::kEventSlaWarning) {
    metrics_.counter("sundial_sla_warnings_total", "SLA warnings",
                     {{"site", after.site}, {"priority", priority}})
        .add();
  }
  if (event.type == worklist::kEventSlaBreached || event.type == worklist::kEventEscalated) {
    metrics_.counter("sundial_sla_breaches_total", "SLA breaches, by the step that was late",
                     {{"site", after.site}, {"priority", priority}, {"cause", event.reason}})
        .add();
  }
}

void WorklistMetrics::collect(std::string& out) {
  std::lock_guard lock(cache_mutex_);
  const SteadyTime now = tasks_.clock().steadyNow();
  if (cached_at_ != SteadyTime{} && now - cached_at_ < kCacheFor) {
    out += cached_;
    return;
  }
  const UtcTime to = tasks_.clock().utcNow();
  auto delivered = tasks_.deliveredBetween(to - kWindow, to);
  if (!delivered) return;  // Redis down: leave the series out of this scrape
  auto rows = worklist::computeTurnaround(
      delivered.value(), {worklist::TatDimension::Site, worklist::TatDimension::Priority});
  std::string text =
      "# HELP sundial_tat_24h_seconds Contractual turnaround of tasks delivered in the last 24 hours\n"
      "# TYPE sundial_tat_24h_seconds gauge\n";
  std::string compliance =
      "# HELP sundial_sla_compliance_24h Share of tasks delivered in the last 24 hours by their due time\n"
      "# TYPE sundial_sla_compliance_24h gauge\n";
  for (const auto& row : rows) {
    const std::string labels = "site=\"" + row.group.at(worklist::TatDimension::Site) +
                               "\",priority=\"" + row.group.at(worklist::TatDimension::Priority) + "\"";
    auto it = row.intervals.find("contractual");
    if (it != row.intervals.end()) {
      text += "sundial_tat_24h_seconds{" + labels + ",quantile=\"0.5\"} " + seconds(it->second.p50_ms) + "\n";
      text += "sundial_tat_24h_seconds{" + labels + ",quantile=\"0.9\"} " + seconds(it->second.p90_ms) + "\n";
      text += "sundial_tat_24h_seconds{" + labels + ",quantile=\"0.99\"} " + seconds(it->second.p99_ms) + "\n";
    }
    char value[32];
    std::snprintf(value, sizeof value, "%.4f", row.sla_compliance);
    compliance += "sundial_sla_compliance_24h{" + labels + "} " + value + "\n";
  }
  cached_ = text + compliance;
  cached_at_ = now;
  out += cached_;
}

}  // namespace sundial::app
