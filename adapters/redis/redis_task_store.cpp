#include "adapters/redis/redis_task_store.h"

#include <algorithm>
#include <cstdlib>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_task_codec.h"
#include "adapters/redis/redis_task_scripts.h"
#include "engine/domain/instance.h"

namespace sundial::adapters::redis {
namespace {

using worklist::Task;
using worklist::TaskEvent;
using worklist::TaskState;

// tasks:open is ordered by priority, then due time: rank * 1e13 + due ms (due ms < 1e13
// until the year 2286; the sum stays exact in a double).
constexpr double kPriorityStride = 1e13;

double openScore(const Task& task) {
  return worklist::priorityRank(task.priority) * kPriorityStride +
         static_cast<double>(toEpochMs(task.due));
}

std::string scoreText(double score) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.0f", score);
  return buffer;
}

// The reader a task is in the hands of, for that reader's set and load.
std::string heldBy(const Task& task) {
  switch (task.state) {
    case TaskState::Assigned:
    case TaskState::Claimed:
    case TaskState::InProgress:
    case TaskState::Preliminary:
      return task.holder();
    default:
      return {};
  }
}

bool hasLease(const Task& task) {
  return (task.state == TaskState::Claimed || task.state == TaskState::InProgress) &&
         task.lease_expires != UtcTime{};
}

// Index operations and the keys they name, collected for one kApplyTaskChange call.
class IndexOps {
 public:
  explicit IndexOps(std::vector<std::string>& keys) : keys_(keys) {}

  void add(std::string_view op, std::string key, std::string member, std::string score = "0") {
    keys_.push_back(std::move(key));
    args_.push_back(std::string(op));
    args_.push_back(std::to_string(keys_.size()));
    args_.push_back(std::move(member));
    args_.push_back(std::move(score));
  }
  std::vector<std::string>& args() { return args_; }
  std::size_t count() const { return args_.size() / 4; }

 private:
  std::vector<std::string>& keys_;
  std::vector<std::string> args_;
};

// Every index the task belongs to, derived from the task before and after the change.
void collectIndexOps(const TaskKeySchema& k, const Task* before, const Task& after, IndexOps& ops) {
  namespace ts = task_scripts;
  const std::string& id = after.id;
  const bool closed = worklist::isClosed(after.state);
  if (!before) {
    ops.add(ts::kOpZAdd, k.all(), id, std::to_string(toEpochMs(after.times.created)));
    for (const auto& uid : after.study_uids) {
      ops.add(ts::kOpGuard, k.openStudy(uid), id);
      ops.add(ts::kOpSet, k.study(uid), id);
    }
  }
  if (before && before->state != after.state) {
    ops.add(ts::kOpSetRemove, k.state(worklist::taskStateName(before->state)), id);
  }
  ops.add(ts::kOpSetAdd, k.state(worklist::taskStateName(after.state)), id);
  if (!after.order.accession_number.empty() &&
      (!before || before->order.accession_number != after.order.accession_number)) {
    ops.add(ts::kOpSet, k.accession(after.site, after.order.accession_number), id);
  }
  if (closed) {
    ops.add(ts::kOpZRemove, k.open(), id);
    ops.add(ts::kOpSetRemove, k.site(after.site), id);
    if (before && !worklist::isClosed(before->state)) {
      for (const auto& uid : after.study_uids) ops.add(ts::kOpDeleteIf, k.openStudy(uid), id);
    }
  } else {
    ops.add(ts::kOpZAdd, k.open(), id, scoreText(openScore(after)));
    ops.add(ts::kOpSetAdd, k.site(after.site), id);
  }
  const std::string old_reader = before ? heldBy(*before) : std::string();
  const std::string new_reader = heldBy(after);
  if (!old_reader.empty() && old_reader != new_reader) {
    ops.add(ts::kOpSetRemove, k.reader(old_reader), id);
  }
  if (!new_reader.empty()) ops.add(ts::kOpSetAdd, k.reader(new_reader), id);
  if (hasLease(after)) {
    ops.add(ts::kOpZAdd, k.leases(), id, std::to_string(toEpochMs(after.lease_expires)));
  } else if (before && hasLease(*before)) {
    ops.add(ts::kOpZRemove, k.leases(), id);
  }
  if (!closed && !after.sla_warned && after.warn_at != UtcTime{}) {
    ops.add(ts::kOpZAdd, k.slaWarn(), id, std::to_string(toEpochMs(after.warn_at)));
  } else {
    ops.add(ts::kOpZRemove, k.slaWarn(), id);
  }
  if (!closed && !after.sla_breached && after.due != UtcTime{}) {
    ops.add(ts::kOpZAdd, k.slaDue(), id, std::to_string(toEpochMs(after.due)));
  } else {
    ops.add(ts::kOpZRemove, k.slaDue(), id);
  }
  if (after.times.delivered != UtcTime{}) {
    ops.add(ts::kOpZAdd, k.delivered(), id, std::to_string(toEpochMs(after.times.delivered)));
  }
}

// Names that reach keys must not hold the ':' separator (or be empty or huge).
Result<void> checkKeyParts(const Task& task) {
  auto bad = [&](const std::string& what) {
    return makeError(ErrorCode::InvalidInput, what + " cannot be used in a key", "task " + task.id);
  };
  if (!isValidKeyName(task.id)) return bad("task id '" + task.id + "'");
  if (!isValidKeyName(task.site)) return bad("site '" + task.site + "'");
  for (const auto& uid : task.study_uids) {
    if (!isValidUid(uid)) return bad("a study UID");
  }
  if (!task.assigned_reader.empty() && !isValidKeyName(task.assigned_reader)) {
    return bad("reader '" + task.assigned_reader + "'");
  }
  if (!task.claimed_by.empty() && !isValidKeyName(task.claimed_by)) {
    return bad("reader '" + task.claimed_by + "'");
  }
  return okResult();
}

std::vector<std::string> flatStrings(const Reply& reply) {
  std::vector<std::string> out;
  out.reserve(reply.elements.size());
  for (const Reply& e : reply.elements) out.push_back(e.str);
  return out;
}

std::string listArg(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string out = ",";
  for (const auto& item : items) out += item + ",";
  return out;
}

void sortMostUrgentFirst(std::vector<Task>& tasks) {
  std::stable_sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) {
    int ra = worklist::priorityRank(a.priority), rb = worklist::priorityRank(b.priority);
    if (ra != rb) return ra < rb;
    return a.due < b.due;
  });
}

}  // namespace

RedisTaskStore::RedisTaskStore(RedisClientOptions client, std::string_view key_prefix)
    : client_(std::move(client)), keys_(key_prefix) {}

Result<std::string> RedisTaskStore::newTaskId() {
  auto reply = client_.command({"INCR", keys_.sequence()});
  if (!reply) return reply.error();
  return "T" + std::to_string(reply->integer);
}

Result<void> RedisTaskStore::create(const Task& task, const TaskEvent& created) {
  auto applied = apply(nullptr, task, created);
  if (!applied) return applied.error();
  return okResult();
}

Result<bool> RedisTaskStore::update(const Task& before, const Task& after, const TaskEvent& event) {
  return apply(&before, after, event);
}

Result<bool> RedisTaskStore::apply(const Task* before, const Task& after, const TaskEvent& event) {
  if (auto ok = checkKeyParts(after); !ok) return ok.error();
  ScriptCall call;
  call.keys = {keys_.task(after.id), keys_.history(after.id), keys_.changes()};
  IndexOps ops(call.keys);
  collectIndexOps(keys_, before, after, ops);
  FieldList fields = encodeTask(after);
  call.args.reserve(8 + fields.size() * 2 + ops.args().size());
  call.args.push_back(before ? std::to_string(before->version) : "0");
  call.args.push_back(std::to_string(fields.size()));
  for (auto& [name, value] : fields) {
    call.args.push_back(std::move(name));
    call.args.push_back(std::move(value));
  }
  call.args.push_back(encodeEvent(event));
  call.args.push_back(std::to_string(kChangeStreamLength));
  call.args.push_back(std::to_string(ops.count()));
  for (auto& arg : ops.args()) call.args.push_back(std::move(arg));

  auto reply = client_.eval(task_scripts::kApplyTaskChange, call);
  if (!reply) return reply.error();
  if (reply->type == Reply::Type::Array) {
    std::string holder = reply->elements.size() > 1 ? reply->elements[1].str : "";
    return makeError(ErrorCode::Duplicate, "a study of this task already has an open task " + holder,
                     holder);
  }
  switch (reply->integer) {
    case task_scripts::kApplied: return true;
    case task_scripts::kStaleVersion: return false;
    default: return makeError(ErrorCode::NotFound, "no task " + after.id);
  }
}

Result<Task> RedisTaskStore::get(const std::string& id) {
  if (!isValidKeyName(id)) return makeError(ErrorCode::NotFound, "no task " + id);
  auto reply = client_.command({"HGETALL", keys_.task(id)});
  if (!reply) return reply.error();
  if (reply->elements.empty()) return makeError(ErrorCode::NotFound, "no task " + id);
  return decodeTask(flatStrings(reply.value()));
}

Result<std::vector<TaskEvent>> RedisTaskStore::history(const std::string& id) {
  if (!isValidKeyName(id)) return makeError(ErrorCode::NotFound, "no task " + id);
  auto reply = client_.command({"LRANGE", keys_.history(id), "0", "-1"});
  if (!reply) return reply.error();
  std::vector<TaskEvent> events;
  for (const Reply& item : reply->elements) {
    auto event = decodeEvent(item.str);
    if (!event) return event.error();
    events.push_back(std::move(event.value()));
  }
  return events;
}

Result<std::vector<Task>> RedisTaskStore::fetch(const std::string& index, std::string_view kind,
                                                const worklist::TaskFilter& filter) {
  std::vector<std::string> states;
  for (TaskState s : filter.states) states.emplace_back(worklist::taskStateName(s));
  ScriptCall call;
  call.keys = {index};
  call.args = {std::string(kind),
               keys_.task(""),
               std::to_string(filter.limit),
               listArg(filter.sites),
               filter.priority ? std::string(orderPriorityName(*filter.priority)) : "",
               listArg(states),
               filter.due_after ? std::to_string(toEpochMs(*filter.due_after)) : "",
               filter.due_before ? std::to_string(toEpochMs(*filter.due_before)) : ""};
  auto reply = client_.eval(task_scripts::kFetchTasks, call);
  if (!reply) return reply.error();
  std::vector<Task> tasks;
  for (const Reply& row : reply->elements) {
    auto task = decodeTask(flatStrings(row));
    if (!task) return task.error();
    tasks.push_back(std::move(task.value()));
  }
  return tasks;
}

Result<std::vector<Task>> RedisTaskStore::list(const worklist::TaskFilter& filter) {
  if (!filter.reader.empty() && !isValidKeyName(filter.reader)) return std::vector<Task>{};
  const bool wants_closed =
      std::any_of(filter.states.begin(), filter.states.end(), worklist::isClosed);
  Result<std::vector<Task>> tasks =
      !filter.reader.empty() ? fetch(keys_.reader(filter.reader), "set", filter)
      : wants_closed         ? fetch(keys_.all(), "zrev", filter)  // newest first
                             : fetch(keys_.open(), "zset", filter);
  if (!tasks) return tasks;
  sortMostUrgentFirst(tasks.value());
  if (tasks->size() > filter.limit) tasks->resize(filter.limit);
  return tasks;
}

Result<std::optional<std::string>> RedisTaskStore::findByAccession(const std::string& site,
                                                                   const std::string& accession) {
  if (!isValidKeyName(site) || accession.empty()) return std::optional<std::string>{};
  auto reply = client_.command({"GET", keys_.accession(site, accession)});
  if (!reply) return reply.error();
  if (reply->isNil()) return std::optional<std::string>{};
  return std::optional<std::string>(reply->str);
}

Result<std::optional<std::string>> RedisTaskStore::findByStudy(const std::string& study_uid) {
  if (!isValidUid(study_uid)) return std::optional<std::string>{};
  auto reply = client_.command({"GET", keys_.study(study_uid)});
  if (!reply) return reply.error();
  if (reply->isNil()) return std::optional<std::string>{};
  return std::optional<std::string>(reply->str);
}

Result<std::vector<std::string>> RedisTaskStore::lapsedLeases(UtcTime now, std::size_t max) {
  auto reply = client_.command({"ZRANGEBYSCORE", keys_.leases(), "-inf",
                                std::to_string(toEpochMs(now)), "LIMIT", "0", std::to_string(max)});
  if (!reply) return reply.error();
  return flatStrings(reply.value());
}

Result<std::vector<worklist::DueSlaTimer>> RedisTaskStore::dueSlaTimers(UtcTime now,
                                                                        std::size_t max) {
  const std::string now_ms = std::to_string(toEpochMs(now));
  auto replies = client_.pipeline(
      {{"ZRANGEBYSCORE", keys_.slaWarn(), "-inf", now_ms, "WITHSCORES", "LIMIT", "0",
        std::to_string(max)},
       {"ZRANGEBYSCORE", keys_.slaDue(), "-inf", now_ms, "WITHSCORES", "LIMIT", "0",
        std::to_string(max)}});
  if (!replies) return replies.error();
  std::vector<worklist::DueSlaTimer> due;
  for (std::size_t k = 0; k < 2; ++k) {
    const Reply& reply = replies.value()[k];
    if (reply.isError()) return makeError(ErrorCode::Internal, reply.str, "sla timers");
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
      due.push_back({reply.elements[i].str,
                     k == 0 ? worklist::SlaTimerKind::Warning : worklist::SlaTimerKind::Breach,
                     fromEpochMs(std::atoll(reply.elements[i + 1].str.c_str()))});
    }
  }
  // Breaches before warnings of the same moment do not matter; older first does.
  std::stable_sort(due.begin(), due.end(),
                   [](const auto& a, const auto& b) { return a.due < b.due; });
  return due;
}

Result<void> RedisTaskStore::forgetTimer(const std::string& id, worklist::SlaTimerKind kind) {
  const std::string key = kind == worklist::SlaTimerKind::Warning ? keys_.slaWarn()
                          : kind == worklist::SlaTimerKind::Breach ? keys_.slaDue()
                                                                   : keys_.leases();
  auto reply = client_.command({"ZREM", key, id});
  if (!reply) return reply.error();
  return okResult();
}

Result<std::optional<UtcTime>> RedisTaskStore::nextTimer() {
  auto replies = client_.pipeline({{"ZRANGE", keys_.slaWarn(), "0", "0", "WITHSCORES"},
                                   {"ZRANGE", keys_.slaDue(), "0", "0", "WITHSCORES"},
                                   {"ZRANGE", keys_.leases(), "0", "0", "WITHSCORES"}});
  if (!replies) return replies.error();
  std::optional<UtcTime> next;
  for (const Reply& reply : replies.value()) {
    if (reply.elements.size() < 2) continue;
    UtcTime t = fromEpochMs(std::atoll(reply.elements[1].str.c_str()));
    if (!next || t < *next) next = t;
  }
  return next;
}

Result<std::vector<Task>> RedisTaskStore::deliveredBetween(UtcTime from, UtcTime to) {
  auto ids = client_.command({"ZRANGEBYSCORE", keys_.delivered(),
                              std::to_string(toEpochMs(from)),
                              "(" + std::to_string(toEpochMs(to))});
  if (!ids) return ids.error();
  std::vector<Task> tasks;
  constexpr std::size_t kBatch = 500;
  const auto& elements = ids->elements;
  for (std::size_t start = 0; start < elements.size(); start += kBatch) {
    std::vector<std::vector<std::string>> commands;
    for (std::size_t i = start; i < std::min(elements.size(), start + kBatch); ++i) {
      commands.push_back({"HGETALL", keys_.task(elements[i].str)});
    }
    auto replies = client_.pipeline(commands);
    if (!replies) return replies.error();
    for (const Reply& reply : replies.value()) {
      if (reply.isError() || reply.elements.empty()) continue;  // forgotten meanwhile
      auto task = decodeTask(flatStrings(reply));
      if (task) tasks.push_back(std::move(task.value()));
    }
  }
  return tasks;
}

Result<std::string> RedisTaskStore::latestChangeId() {
  auto reply = client_.command({"XREVRANGE", keys_.changes(), "+", "-", "COUNT", "1"});
  if (!reply) return reply.error();
  if (reply->elements.empty() || reply->elements[0].elements.empty()) return std::string("0-0");
  return reply->elements[0].elements[0].str;
}

Result<std::vector<worklist::TaskChange>> RedisTaskStore::readChanges(
    const std::string& after, std::chrono::milliseconds block, std::size_t max) {
  auto reply = client_.blockingCommand({"XREAD", "COUNT", std::to_string(max), "BLOCK",
                                        std::to_string(block.count()), "STREAMS", keys_.changes(),
                                        after.empty() ? "$" : after},
                                       block);
  if (!reply) return reply.error();
  std::vector<worklist::TaskChange> changes;
  if (reply->isNil() || reply->elements.empty()) return changes;
  // [[stream, [[id, [field, value, ...]], ...]]]
  const Reply& entries = reply->elements[0].elements.at(1);
  for (const Reply& entry : entries.elements) {
    if (entry.elements.size() < 2) continue;
    std::vector<std::string> fields = flatStrings(entry.elements[1]);
    std::string event_json;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i] == "event") event_json = fields[i + 1];
    }
    auto task = decodeTask(fields);
    auto event = decodeEvent(event_json);
    if (!task || !event) continue;  // written by a newer version: skip, do not stall
    changes.push_back({entry.elements[0].str, std::move(task.value()), std::move(event.value())});
  }
  return changes;
}

Result<void> RedisTaskStore::recordBreach(const worklist::SlaBreachRecord& breach,
                                          std::size_t keep) {
  auto replies = client_.pipeline({{"LPUSH", keys_.slaBreaches(), encodeBreach(breach)},
                                   {"LTRIM", keys_.slaBreaches(), "0", std::to_string(keep - 1)}});
  if (!replies) return replies.error();
  return okResult();
}

Result<std::vector<worklist::SlaBreachRecord>> RedisTaskStore::recentBreaches(std::size_t max) {
  auto reply = client_.command({"LRANGE", keys_.slaBreaches(), "0", std::to_string(max - 1)});
  if (!reply) return reply.error();
  std::vector<worklist::SlaBreachRecord> out;
  for (const Reply& item : reply->elements) {
    auto breach = decodeBreach(item.str);
    if (breach) out.push_back(std::move(breach.value()));
  }
  return out;
}

}  // namespace sundial::adapters::redis
