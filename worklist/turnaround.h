#pragma once
// Turnaround figures: for tasks delivered in a time range, grouped by any of site, modality,
// priority and reader, the p50/p90/p99 of each measured interval and the SLA compliance.
// All times are UTC instants, so intervals are exact across time zones and daylight-saving
// changes (a site's local time never enters the arithmetic). Pure functions; any thread.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worklist/task.h"

namespace sundial::worklist {

enum class TatDimension { Site, Modality, Priority, Reader };
std::string_view tatDimensionName(TatDimension dimension);  // "site", "modality", ...
std::optional<TatDimension> parseTatDimension(std::string_view name);

// One measured interval: between two recorded times of a task.
struct TatInterval {
  std::string_view name;
  UtcTime (*from)(const Task&);
  UtcTime (*to)(const Task&);
};
// "contractual" (study complete, or the order if later, to final delivered — the SLA's),
// then the steps: image_to_complete, complete_to_assigned, assigned_to_claimed,
// claimed_to_final, final_to_delivered.
const std::vector<TatInterval>& tatIntervals();

struct TatPercentiles {
  std::size_t count = 0;  // tasks that have both times
  long long p50_ms = 0;
  long long p90_ms = 0;
  long long p99_ms = 0;
};

struct TatRow {
  std::map<TatDimension, std::string> group;  // the group's values (empty: all tasks)
  std::size_t tasks = 0;
  std::size_t sla_met = 0;      // delivered by due
  double sla_compliance = 0;    // sla_met / tasks
  std::map<std::string_view, TatPercentiles> intervals;  // by interval name
};

// Nearest-rank percentile (p in (0, 100]) of values sorted ascending; 0 for none.
long long percentileNearestRank(const std::vector<long long>& sorted, double p);

// Rows sorted by their group values. Tasks not delivered are ignored.
std::vector<TatRow> computeTurnaround(const std::vector<Task>& tasks,
                                      const std::vector<TatDimension>& group_by);

}  // namespace sundial::worklist
