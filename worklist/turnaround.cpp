#include "worklist/turnaround.h"

#include <algorithm>
#include <cmath>

#include "worklist/sla_policy.h"

namespace sundial::worklist {
namespace {

std::string groupValue(const Task& task, TatDimension dimension) {
  switch (dimension) {
    case TatDimension::Site: return task.site;
    case TatDimension::Modality: return task.modality;
    case TatDimension::Priority: return std::string(orderPriorityName(task.priority));
    case TatDimension::Reader: return task.claimed_by;  // who reported it
  }
  return {};
}

}  // namespace

std::string_view tatDimensionName(TatDimension dimension) {
  switch (dimension) {
    case TatDimension::Site: return "site";
    case TatDimension::Modality: return "modality";
    case TatDimension::Priority: return "priority";
    case TatDimension::Reader: return "reader";
  }
  return "site";
}

std::optional<TatDimension> parseTatDimension(std::string_view name) {
  for (TatDimension d : {TatDimension::Site, TatDimension::Modality, TatDimension::Priority,
                         TatDimension::Reader}) {
    if (tatDimensionName(d) == name) return d;
  }
  return std::nullopt;
}

const std::vector<TatInterval>& tatIntervals() {
  static const std::vector<TatInterval> kIntervals = {
      {"contractual", [](const Task& t) { return SlaPolicy::clockStart(t.times); },
       [](const Task& t) { return t.times.delivered; }},
      {"image_to_complete", [](const Task& t) { return t.times.first_image; },
       [](const Task& t) { return t.times.study_complete; }},
      {"complete_to_assigned", [](const Task& t) { return t.times.study_complete; },
       [](const Task& t) { return t.times.assigned; }},
      {"assigned_to_claimed", [](const Task& t) { return t.times.assigned; },
       [](const Task& t) { return t.times.claimed; }},
      {"claimed_to_final", [](const Task& t) { return t.times.claimed; },
       [](const Task& t) { return t.times.final_report; }},
      {"final_to_delivered", [](const Task& t) { return t.times.final_report; },
       [](const Task& t) { return t.times.delivered; }},
  };
  return kIntervals;
}

long long percentileNearestRank(const std::vector<long long>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

std::vector<TatRow> computeTurnaround(const std::vector<Task>& tasks,
                                      const std::vector<TatDimension>& group_by) {
  struct Accumulator {
    TatRow row;
    std::map<std::string_view, std::vector<long long>> samples;
  };
  std::map<std::vector<std::string>, Accumulator> groups;
  for (const Task& task : tasks) {
    if (task.times.delivered == UtcTime{}) continue;
    std::vector<std::string> key;
    for (TatDimension d : group_by) key.push_back(groupValue(task, d));
    Accumulator& acc = groups[key];
    if (acc.row.tasks == 0) {
      for (std::size_t i = 0; i < group_by.size(); ++i) acc.row.group[group_by[i]] = key[i];
    }
    ++acc.row.tasks;
    if (task.due == UtcTime{} || task.times.delivered <= task.due) ++acc.row.sla_met;
    for (const TatInterval& interval : tatIntervals()) {
      const UtcTime from = interval.from(task), to = interval.to(task);
      if (from == UtcTime{} || to == UtcTime{} || to < from) continue;
      acc.samples[interval.name].push_back(toEpochMs(to) - toEpochMs(from));
    }
  }
  std::vector<TatRow> rows;
  for (auto& [key, acc] : groups) {
    acc.row.sla_compliance =
        static_cast<double>(acc.row.sla_met) / static_cast<double>(acc.row.tasks);
    for (auto& [name, values] : acc.samples) {
      std::sort(values.begin(), values.end());
      acc.row.intervals[name] = {values.size(), percentileNearestRank(values, 50),
                                 percentileNearestRank(values, 90), percentileNearestRank(values, 99)};
    }
    rows.push_back(std::move(acc.row));
  }
  return rows;
}

}  // namespace sundial::worklist
