#include "adapters/redis/redis_forward_queue.h"

#include <charconv>

#include "adapters/redis/redis_scripts.h"
#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace sundial::adapters::redis {
namespace {

// Due retries moved per script run; promoteDueRetries loops so one run stays short.
constexpr int kPromoteBatch = 1000;
constexpr char kDeadSeparator = '|';

Result<void> checkName(const std::string& name, std::string_view what) {
  if (isValidKeyName(name)) return okResult();
  return makeError(ErrorCode::InvalidInput,
                   std::string(what) + " name '" + name + "' cannot be used in a Redis key");
}

Result<void> checkJob(const engine::ForwardJob& job, const std::string& worker) {
  if (auto ok = checkName(job.destination, "destination"); !ok) return ok;
  if (auto ok = checkName(worker, "worker"); !ok) return ok;
  if (!isValidUid(job.sop_instance_uid) || !isValidUid(job.study_uid)) {
    return makeError(ErrorCode::InvalidInput, "forward job with an invalid UID",
                     "destination=" + job.destination);
  }
  return okResult();
}

std::string jobContext(const engine::ForwardJob& job) {
  return "destination=" + job.destination +
         " sop_instance_uid=" + std::string(log::identifying(job.sop_instance_uid));
}

std::string formatSeconds(std::chrono::milliseconds wait) {
  const long long ms = wait.count();
  std::string text = std::to_string(ms / 1000) + ".";
  const std::string fraction = std::to_string(1000 + ms % 1000);  // "1xyz"
  return text + fraction.substr(1);
}

engine::DeadLetter parseDeadLetter(std::string_view entry) {
  // "<ms>|<sop>|<study>|<reason>": UIDs and the time hold no '|'; the reason may.
  engine::DeadLetter letter;
  std::string_view fields[3];
  for (auto& field : fields) {
    const auto bar = entry.find(kDeadSeparator);
    field = entry.substr(0, bar);
    entry = bar == std::string_view::npos ? std::string_view{} : entry.substr(bar + 1);
  }
  long long ms = 0;
  std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), ms);
  letter.at = fromEpochMs(ms);
  letter.sop_instance_uid = fields[1];
  letter.study_uid = fields[2];
  letter.reason = entry;
  return letter;
}

}  // namespace

RedisForwardQueue::RedisForwardQueue(RedisClientOptions client, std::string_view key_prefix,
                                     const Clock& clock, std::string node)
    : client_(std::move(client)), keys_(key_prefix), clock_(clock), node_(std::move(node)) {}

Result<std::vector<engine::ForwardJob>> RedisForwardQueue::runClaim(
    const std::string& destination, const std::string& worker, int max,
    const std::vector<std::string>& moved) {
  ScriptCall call;
  call.keys = {keys_.ready(destination, node_), keys_.inFlight(destination, worker),
               keys_.workers(destination), keys_.dead(destination), keys_.nodes()};
  // Jobs queued before ready lists were per node (no node on their instance).
  if (!node_.empty()) call.keys.push_back(keys_.ready(destination));
  call.args = {std::to_string(max), worker, destination, keys_.instancePrefix(),
               std::to_string(toEpochMs(clock_.utcNow())), node_};
  call.args.insert(call.args.end(), moved.begin(), moved.end());
  auto reply = client_.eval(scripts::kClaim, call);
  if (!reply) return reply.error();
  std::vector<engine::ForwardJob> jobs;
  jobs.reserve(reply.value().elements.size());
  for (const Reply& row : reply.value().elements) {
    if (row.elements.size() < 7) continue;
    engine::ForwardJob job;
    job.destination = destination;
    job.sop_instance_uid = row.elements[0].str;
    job.study_uid = row.elements[1].str;
    job.sop_class_uid = row.elements[2].str;
    job.transfer_syntax_uid = row.elements[3].str;
    job.spool_path = row.elements[4].str;
    job.received_at = fromEpochMs(row.elements[5].asInteger());
    job.attempts = static_cast<int>(row.elements[6].asInteger());
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<std::vector<engine::ForwardJob>> RedisForwardQueue::claim(const std::string& destination,
                                                                 const std::string& worker, int max,
                                                                 std::chrono::milliseconds wait) {
  if (auto ok = checkName(destination, "destination"); !ok) return ok.error();
  if (auto ok = checkName(worker, "worker"); !ok) return ok.error();
  if (max <= 0) return std::vector<engine::ForwardJob>{};
  const bool may_wait = wait > std::chrono::milliseconds::zero();
  const auto remember = [this, max](Result<std::vector<engine::ForwardJob>> jobs) {
    if (jobs) ready_list_short_ = static_cast<int>(jobs.value().size()) < max;
    return jobs;
  };
  const bool blmove_first = may_wait && ready_list_short_;
  if (!blmove_first) {
    auto jobs = remember(runClaim(destination, worker, max, {}));
    if (!jobs || !jobs.value().empty() || !may_wait) return jobs;
  }

  // Nothing ready, or likely so: block in Redis for the first job (at once if one is there),
  // then take the rest without waiting.
  auto first = client_.blockingCommand(
      {"BLMOVE", keys_.ready(destination, node_), keys_.inFlight(destination, worker), "RIGHT",
       "LEFT",
       formatSeconds(wait)},
      wait);
  if (!first) return first.error();
  if (!first.value().isNil()) {
    return remember(runClaim(destination, worker, max, {first.value().str}));
  }
  // Nothing on this node's list for `wait`. When the script was not run first, the jobs of
  // instances recorded before ready lists were per node (only the script takes those) have
  // not been looked at yet: they wait up to `wait` longer than before, once per empty spell.
  if (blmove_first && !node_.empty()) return remember(runClaim(destination, worker, max, {}));
  return std::vector<engine::ForwardJob>{};
}

Result<engine::AckOutcome> RedisForwardQueue::acknowledge(const engine::ForwardJob& job,
                                                          const std::string& worker) {
  if (auto ok = checkJob(job, worker); !ok) return ok.error();
  ScriptCall call;
  call.keys = {keys_.inFlight(job.destination, worker), keys_.ready(job.destination, node_),
               keys_.waiting(job.destination), keys_.instance(job.sop_instance_uid),
               keys_.study(job.study_uid)};
  call.args = {job.sop_instance_uid, job.destination};
  auto reply = client_.eval(scripts::kAcknowledge, call);
  if (!reply) return reply.error();
  const long long outcome = reply.value().asInteger();
  if (outcome < 0) {
    return makeError(ErrorCode::NotFound, "acknowledged an unknown instance", jobContext(job));
  }
  return engine::AckOutcome{outcome == 1};
}

Result<void> RedisForwardQueue::retryLater(const engine::ForwardJob& job, const std::string& worker,
                                           UtcTime due, const std::string& reason) {
  if (auto ok = checkJob(job, worker); !ok) return ok;
  ScriptCall call;
  call.keys = {keys_.inFlight(job.destination, worker), keys_.waiting(job.destination),
               keys_.instance(job.sop_instance_uid)};
  call.args = {job.sop_instance_uid, job.destination, std::to_string(toEpochMs(due)), reason};
  auto reply = client_.eval(scripts::kRetryLater, call);
  if (!reply) return reply.error();
  if (reply.value().asInteger() == 0) {
    return makeError(ErrorCode::NotFound, "job is not in flight for worker " + worker,
                     jobContext(job));
  }
  return okResult();
}

Result<engine::AckOutcome> RedisForwardQueue::deadLetter(const engine::ForwardJob& job,
                                                         const std::string& worker,
                                                         const std::string& reason) {
  if (auto ok = checkJob(job, worker); !ok) return ok.error();
  ScriptCall call;
  call.keys = {keys_.inFlight(job.destination, worker), keys_.dead(job.destination),
               keys_.instance(job.sop_instance_uid), keys_.study(job.study_uid)};
  call.args = {job.sop_instance_uid, job.destination, reason,
               std::to_string(toEpochMs(clock_.utcNow())), job.study_uid};
  auto reply = client_.eval(scripts::kDeadLetter, call);
  if (!reply) return reply.error();
  const long long outcome = reply.value().asInteger();
  if (outcome < 0) {
    return makeError(ErrorCode::NotFound, "job is not in flight for worker " + worker,
                     jobContext(job));
  }
  return engine::AckOutcome{outcome == 1};
}

Result<int> RedisForwardQueue::promoteDueRetries(const std::string& destination, UtcTime now) {
  if (auto ok = checkName(destination, "destination"); !ok) return ok.error();
  const ScriptCall call{{keys_.waiting(destination), keys_.ready(destination)},
                        {std::to_string(toEpochMs(now)), std::to_string(kPromoteBatch),
                         keys_.instancePrefix()}};
  int moved = 0;
  while (true) {
    auto reply = client_.eval(scripts::kPromoteDue, call);
    if (!reply) return reply.error();
    const auto count = static_cast<int>(reply.value().asInteger());
    moved += count;
    if (count < kPromoteBatch) return moved;
  }
}

Result<int> RedisForwardQueue::reclaim(const std::string& destination, const std::string& worker) {
  if (auto ok = checkName(destination, "destination"); !ok) return ok.error();
  if (auto ok = checkName(worker, "worker"); !ok) return ok.error();
  auto reply = client_.eval(
      scripts::kReclaim,
      {{keys_.inFlight(destination, worker), keys_.ready(destination, node_),
        keys_.workers(destination)},
       {worker}});
  if (!reply) return reply.error();
  return static_cast<int>(reply.value().asInteger());
}

Result<engine::QueueDepth> RedisForwardQueue::depth(const std::string& destination) {
  if (auto ok = checkName(destination, "destination"); !ok) return ok.error();
  auto reply = client_.eval(scripts::kDepth, {{keys_.ready(destination), keys_.waiting(destination),
                                               keys_.dead(destination), keys_.workers(destination),
                                               keys_.nodes()},
                                              {keys_.inFlightPrefix(destination)}});
  if (!reply) return reply.error();
  const auto& counts = reply.value().elements;
  if (counts.size() != 4) {
    return makeError(ErrorCode::Internal, "unexpected depth reply", "destination=" + destination);
  }
  return engine::QueueDepth{counts[0].asInteger(), counts[1].asInteger(), counts[2].asInteger(),
                            counts[3].asInteger()};
}

Result<std::vector<engine::DeadLetter>> RedisForwardQueue::deadLetters(
    const std::string& destination, int limit) {
  if (auto ok = checkName(destination, "destination"); !ok) return ok.error();
  if (limit <= 0) return std::vector<engine::DeadLetter>{};
  auto reply = client_.command({"LRANGE", keys_.dead(destination), "0", std::to_string(limit - 1)});
  if (!reply) return reply.error();
  std::vector<engine::DeadLetter> letters;
  letters.reserve(reply.value().elements.size());
  for (const Reply& entry : reply.value().elements) letters.push_back(parseDeadLetter(entry.str));
  return letters;
}

}  // namespace sundial::adapters::redis
