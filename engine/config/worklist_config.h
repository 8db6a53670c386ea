#pragma once
// Read tasks, SLAs and escalation (top-level `worklist:`; site `sla:` and `viewer_url`).
// Loaded by worklist_config.cpp.

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace sundial::config {

// The turnaround promised per priority and when to warn (a fraction of the way to due).
struct SlaTargetsConfig {
  std::chrono::milliseconds stat{std::chrono::minutes(30)};
  std::chrono::milliseconds urgent{std::chrono::hours(2)};
  std::chrono::milliseconds routine{std::chrono::hours(24)};
  double warn_at = 0.75;
};

struct RvuConfig {
  double default_rvu = 1.0;
  std::map<std::string, double> by_modality;   // "CT" -> 1.5
  std::map<std::string, double> by_procedure;  // procedure code -> RVU (wins over modality)
};

// Where SLA warnings and breaches are POSTed (JSON); empty url: nowhere.
struct WebhookConfig {
  std::string url;  // http://host:port/path (plain HTTP)
  std::chrono::milliseconds timeout{5000};
  int max_attempts = 5;
};

struct WorklistConfig {
  std::chrono::milliseconds claim_lease{std::chrono::minutes(15)};  // a claim lapses after this
  std::chrono::milliseconds reader_offline_after{std::chrono::seconds(90)};  // no heartbeat
  SlaTargetsConfig sla;  // for sites without their own `sla:`
  RvuConfig rvu;
  WebhookConfig webhook;
};

// A site's own SLA; keys left out take worklist.sla's.
struct SiteSlaConfig {
  std::optional<std::chrono::milliseconds> stat;
  std::optional<std::chrono::milliseconds> urgent;
  std::optional<std::chrono::milliseconds> routine;
  std::optional<double> warn_at;
};

}  // namespace sundial::config
