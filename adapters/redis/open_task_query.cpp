#include "adapters/redis/open_task_query.h"

#include <algorithm>
#include <cstdio>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_task_codec.h"

namespace sundial::adapters::redis {
namespace {

using worklist::TaskFilter;
using worklist::TaskState;

constexpr char kZsetSource = 'z';
constexpr char kSetSource = 's';

std::string listArg(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string out = ",";
  for (const auto& item : items) out += item + ",";
  return out;
}

std::vector<std::string> stateNames(const std::vector<TaskState>& states) {
  std::vector<std::string> out;
  for (TaskState s : states) out.emplace_back(worklist::taskStateName(s));
  return out;
}

// Sites that cannot be in a key match no task: dropped rather than sent to Redis.
std::vector<std::string> keySafe(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& name : names) {
    if (isValidKeyName(name) && std::find(out.begin(), out.end(), name) == out.end()) {
      out.push_back(name);
    }
  }
  return out;
}

struct Source {
  char kind;
  std::string key;
};

// The indexes to read, most selective first; and whether what they hold is exactly the
// caller's scope (then no per-task scope check is needed).
struct Sources {
  std::vector<Source> list;
  bool are_the_scope = false;
};

Sources chooseSources(const TaskKeySchema& k, const TaskFilter& f) {
  Sources s;
  if (!f.reader.empty()) {
    // Few tasks (those in one reader's hands), in no order: scored through tasks:open.
    if (isValidKeyName(f.reader)) s.list.push_back({kSetSource, k.reader(f.reader)});
    return s;
  }
  if (!f.sites.empty()) {
    for (const auto& site : keySafe(f.sites)) s.list.push_back({kZsetSource, k.openSite(site)});
    return s;
  }
  if (f.scope) {
    if (!f.scope->reader.empty() && isValidKeyName(f.scope->reader)) {
      s.list.push_back({kZsetSource, k.openReader(f.scope->reader)});
      s.list.push_back({kZsetSource, k.claimable()});
    }
    for (const auto& site : keySafe(f.scope->sites)) s.list.push_back({kZsetSource, k.openSite(site)});
    s.are_the_scope = true;
    return s;
  }
  const bool only_claimable =
      !f.states.empty() && std::all_of(f.states.begin(), f.states.end(), isClaimable);
  s.list.push_back({kZsetSource, only_claimable ? k.claimable() : k.open()});
  return s;
}

// [min, max) score ranges for the priority and due filters, ascending and disjoint.
std::vector<std::pair<double, double>> scoreRanges(const TaskFilter& f) {
  const double due_min = f.due_after ? static_cast<double>(toEpochMs(*f.due_after)) : 0;
  const double due_max = f.due_before ? static_cast<double>(toEpochMs(*f.due_before)) : kPriorityStride;
  std::vector<int> ranks;
  if (f.priority) {
    ranks.push_back(worklist::priorityRank(*f.priority));
  } else {
    for (auto p : {worklist::Priority::Stat, worklist::Priority::Urgent, worklist::Priority::Routine}) {
      ranks.push_back(worklist::priorityRank(p));
    }
  }
  std::sort(ranks.begin(), ranks.end());
  std::vector<std::pair<double, double>> out;
  if (due_max <= due_min) return out;
  for (int rank : ranks) out.emplace_back(rank * kPriorityStride + due_min, rank * kPriorityStride + due_max);
  return out;
}

}  // namespace

double openScore(worklist::Priority priority, UtcTime due) {
  return worklist::priorityRank(priority) * kPriorityStride + static_cast<double>(toEpochMs(due));
}

std::string scoreText(double score) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.0f", score);
  return buffer;
}

bool isClaimable(TaskState state) {
  return state == TaskState::Queued || state == TaskState::Escalated;
}

ScriptCall openTaskQuery(const TaskKeySchema& k, const TaskFilter& f) {
  const Sources sources = chooseSources(k, f);
  const auto ranges = scoreRanges(f);
  ScriptCall call;
  call.keys.push_back(k.open());
  std::string kinds;
  for (const Source& source : sources.list) {
    call.keys.push_back(source.key);
    kinds += source.kind;
  }
  call.args = {k.task(""), std::to_string(f.limit), kinds, std::to_string(ranges.size())};
  for (const auto& [min, max] : ranges) {
    call.args.push_back(scoreText(min));
    call.args.push_back(scoreText(max));
  }
  if (f.after) {
    call.args.push_back(scoreText(openScore(f.after->priority, f.after->due)));
    call.args.push_back(f.after->id);
  } else {
    call.args.push_back("");
    call.args.push_back("");
  }
  // A site filter read through per-site indexes needs no site check; with a reader's tasks
  // as the source it does.
  call.args.push_back(f.reader.empty() ? std::string() : listArg(f.sites));
  call.args.push_back(listArg(stateNames(f.states)));
  const bool scope_check = f.scope.has_value() && !sources.are_the_scope;
  call.args.push_back(scope_check ? "1" : "0");
  call.args.push_back(f.scope ? f.scope->reader : std::string());
  call.args.push_back(f.scope ? listArg(f.scope->sites) : std::string());
  call.args.emplace_back(kPackedField);
  return call;
}

}  // namespace sundial::adapters::redis
