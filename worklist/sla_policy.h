#pragma once
// SLA arithmetic: the turnaround a site's contract promises per priority, when a task is due
// and when its warning fires. Pure values; built once from the configuration, then only read
// (safe from any thread).

#include <chrono>
#include <map>
#include <string>

#include "engine/domain/clock.h"
#include "worklist/task.h"

namespace sundial::worklist {

struct SlaTargets {
  std::chrono::milliseconds stat{std::chrono::minutes(30)};
  std::chrono::milliseconds urgent{std::chrono::hours(2)};
  std::chrono::milliseconds routine{std::chrono::hours(24)};
  double warn_fraction = 0.75;  // warn when this much of the time has gone

  std::chrono::milliseconds forPriority(Priority priority) const;
};

class SlaPolicy {
 public:
  SlaPolicy() = default;
  SlaPolicy(SlaTargets defaults, std::map<std::string, SlaTargets> by_site)
      : defaults_(defaults), by_site_(std::move(by_site)) {}

  const SlaTargets& targetsFor(const std::string& site) const;

  // The contractual clock starts when the study is complete, or when it was ordered if that
  // is later (an order arriving after the images); failing both, when the task was created.
  static UtcTime clockStart(const TaskTimes& times);
  UtcTime dueAt(const std::string& site, Priority priority, UtcTime start) const;
  // `fraction` of the way from start to due.
  UtcTime warnAt(const std::string& site, UtcTime start, UtcTime due) const;

 private:
  SlaTargets defaults_;
  std::map<std::string, SlaTargets> by_site_;
};

}  // namespace sundial::worklist
