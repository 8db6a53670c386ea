#include "worklist/sla_policy.h"

#include <algorithm>
#include <cmath>

namespace sundial::worklist {

std::chrono::milliseconds SlaTargets::forPriority(Priority priority) const {
  switch (priority) {
    case Priority::Stat: return stat;
    case Priority::Urgent: return urgent;
    case Priority::Routine: return routine;
  }
  return routine;
}

const SlaTargets& SlaPolicy::targetsFor(const std::string& site) const {
  auto it = by_site_.find(site);
  return it == by_site_.end() ? defaults_ : it->second;
}

UtcTime SlaPolicy::clockStart(const TaskTimes& times) {
  UtcTime start = std::max(times.study_complete, times.ordered);
  return start == UtcTime{} ? times.created : start;
}

UtcTime SlaPolicy::dueAt(const std::string& site, Priority priority, UtcTime start) const {
  return start + targetsFor(site).forPriority(priority);
}

UtcTime SlaPolicy::warnAt(const std::string& site, UtcTime start, UtcTime due) const {
  if (due <= start) return due;
  const double fraction = std::clamp(targetsFor(site).warn_fraction, 0.0, 1.0);
  auto span = std::chrono::duration_cast<std::chrono::milliseconds>(due - start);
  auto offset = std::chrono::milliseconds(
      static_cast<long long>(std::llround(static_cast<double>(span.count()) * fraction)));
  return start + offset;
}

}  // namespace sundial::worklist
