#include "adapters/redis/redis_task_store.h"

#include <algorithm>
#include <cstdlib>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/open_task_query.h"
#include "adapters/redis/redis_task_codec.h"
#include "adapters/redis/redis_task_scripts.h"
#include "adapters/redis/task_query_script.h"
#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace sundial::adapters::redis {
namespace {

using worklist::Task;
using worklist::TaskEvent;
using worklist::TaskState;

double taskScore(const Task& task) { return openScore(task.priority, task.due); }

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

// The readers who see a task as theirs (task_access.cpp's maySee): whom it is assigned to
// and who claimed it.
std::vector<std::string> readersOf(const Task& task) {
  std::vector<std::string> out;
  if (!task.assigned_reader.empty()) out.push_back(task.assigned_reader);
  if (!task.claimed_by.empty() && task.claimed_by != task.assigned_reader) {
    out.push_back(task.claimed_by);
  }
  return out;
}

// The query indexes (open_task_query.h), scored like tasks:open: a task is in its site's,
// its readers' and (queued or escalated) the claimable one while it is open. Removals are
// unconditional where they are cheap, so that the indexes follow the task whatever it was.
void collectQueryIndexOps(const TaskKeySchema& k, const Task* before, const Task& after,
                          IndexOps& ops) {
  namespace ts = task_scripts;
  const std::string& id = after.id;
  const bool open = !worklist::isClosed(after.state);
  const std::string score = scoreText(taskScore(after));
  if (before && before->site != after.site) ops.add(ts::kOpZRemove, k.openSite(before->site), id);
  if (open) {
    ops.add(ts::kOpZAdd, k.openSite(after.site), id, score);
  } else {
    ops.add(ts::kOpZRemove, k.openSite(after.site), id);
  }
  if (open && isClaimable(after.state)) {
    ops.add(ts::kOpZAdd, k.claimable(), id, score);
  } else {
    ops.add(ts::kOpZRemove, k.claimable(), id);
  }
  const std::vector<std::string> now_readers = open ? readersOf(after) : std::vector<std::string>{};
  if (before) {
    for (const auto& reader : readersOf(*before)) {
      if (std::find(now_readers.begin(), now_readers.end(), reader) == now_readers.end()) {
        ops.add(ts::kOpZRemove, k.openReader(reader), id);
      }
    }
  }
  for (const auto& reader : now_readers) ops.add(ts::kOpZAdd, k.openReader(reader), id, score);
}

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
    ops.add(ts::kOpZAdd, k.open(), id, scoreText(taskScore(after)));
    ops.add(ts::kOpSetAdd, k.site(after.site), id);
  }
  collectQueryIndexOps(k, before, after, ops);
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
  std::string packed = packTask(fields);
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
  call.args.push_back(packed);

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
  auto packed = client_.command({"HGET", keys_.task(id), std::string(kPackedField)});
  if (!packed) return packed.error();
  if (!packed->isNil()) return unpackTask(packed->str);
  // Written before packing existed (or gone): every field.
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
  if (!wants_closed) return listOpen(filter);
  if (filter.after) {
    return makeError(ErrorCode::InvalidInput, "a page position is only for open tasks");
  }
  // Closed tasks are read newest first from every task ever made (the TAT screen's recent
  // ones); the scope is left to the caller's check.
  Result<std::vector<Task>> tasks = !filter.reader.empty()
                                        ? fetch(keys_.reader(filter.reader), "set", filter)
                                        : fetch(keys_.all(), "zrev", filter);
  if (!tasks) return tasks;
  sortMostUrgentFirst(tasks.value());
  if (tasks->size() > filter.limit) tasks->resize(filter.limit);
  return tasks;
}

Result<std::vector<Task>> RedisTaskStore::listOpen(const worklist::TaskFilter& filter) {
  if (auto built = buildQueryIndexesOnce(); !built) return built.error();
  auto reply = client_.eval(task_scripts::kQueryOpenTasks, openTaskQuery(keys_, filter));
  if (!reply) return reply.error();
  std::vector<Task> tasks;
  tasks.reserve(reply->elements.size());
  for (const Reply& row : reply->elements) {
    // Packed (redis_task_codec.h), or every field of a task written before packing existed.
    auto task = row.type == Reply::Type::Array ? decodeTask(flatStrings(row)) : unpackTask(row.str);
    if (!task) return task.error();
    tasks.push_back(std::move(task.value()));
  }
  return tasks;
}

Result<void> RedisTaskStore::buildQueryIndexesOnce() {
  if (query_indexes_built_) return okResult();
  ScriptCall call;
  call.keys = {keys_.open(), keys_.queryIndexesBuilt(), keys_.claimable()};
  call.args = {keys_.task(""), keys_.openSite(""), keys_.openReader("")};
  auto reply = client_.eval(task_scripts::kBuildQueryIndexes, call);
  if (!reply) return reply.error();
  if (reply->integer > 0) {
    log::info("task_query_indexes_built", {{"open_tasks", std::to_string(reply->integer)}});
  }
  query_indexes_built_ = true;
  return okResult();
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
