#include "adapters/redis/redis_dispatch_queue.h"

#include "engine/domain/instance.h"

namespace sundial::adapters::redis {
namespace {

// Takes due studies and leases them: each is re-scored to the end of the lease.
// KEYS: 1 pending. ARGV: 1 now ms, 2 lease end ms, 3 max.
const LuaScript kTakeDue{"dispatch_take_due", R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, uid in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], uid) end
return due
)lua"};

// Off the queue, and the study marked dispatched (so a re-completion does not queue it).
// KEYS: 1 pending, 2 study. ARGV: 1 study uid.
const LuaScript kDone{"dispatch_done", R"lua(
redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HSET', KEYS[2], 'dispatched', 1) end
return 1
)lua"};

Result<void> checkStudyUid(const std::string& uid) {
  if (isValidUid(uid)) return okResult();
  return makeError(ErrorCode::InvalidInput, "not a valid Study Instance UID", "dispatch");
}

}  // namespace

RedisDispatchQueue::RedisDispatchQueue(RedisClientOptions client, std::string_view key_prefix)
    : client_(std::move(client)), keys_(key_prefix) {}

Result<std::vector<std::string>> RedisDispatchQueue::take(UtcTime now,
                                                          std::chrono::milliseconds lease,
                                                          int max) {
  long long now_ms = toEpochMs(now);
  auto reply = client_.eval(kTakeDue, {{keys_.dispatchPending()},
                                       {std::to_string(now_ms),
                                        std::to_string(now_ms + lease.count()),
                                        std::to_string(max)}});
  if (!reply) return reply.error();
  std::vector<std::string> uids;
  for (const Reply& element : reply.value().elements) uids.push_back(element.str);
  return uids;
}

Result<void> RedisDispatchQueue::postpone(const std::string& study_uid, UtcTime until) {
  if (auto ok = checkStudyUid(study_uid); !ok) return ok;
  auto reply = client_.command(
      {"ZADD", keys_.dispatchPending(), "XX", std::to_string(toEpochMs(until)), study_uid});
  if (!reply) return reply.error();
  return okResult();
}

Result<void> RedisDispatchQueue::done(const std::string& study_uid) {
  if (auto ok = checkStudyUid(study_uid); !ok) return ok;
  auto reply = client_.eval(kDone, {{keys_.dispatchPending(), keys_.study(study_uid)}, {study_uid}});
  if (!reply) return reply.error();
  return okResult();
}

Result<void> RedisDispatchQueue::requeue(const std::string& study_uid, UtcTime at) {
  if (auto ok = checkStudyUid(study_uid); !ok) return ok;
  auto reply = client_.command(
      {"ZADD", keys_.dispatchPending(), std::to_string(toEpochMs(at)), study_uid});
  if (!reply) return reply.error();
  return okResult();
}

Result<long long> RedisDispatchQueue::depth() {
  auto reply = client_.command({"ZCARD", keys_.dispatchPending()});
  if (!reply) return reply.error();
  return reply.value().asInteger();
}

Result<void> RedisDispatchQueue::exclude(const std::string& study_uid, const std::string& reader) {
  if (auto ok = checkStudyUid(study_uid); !ok) return ok;
  const std::string key = keys_.dispatchExclusions(study_uid);
  auto reply = client_.pipeline({{"SADD", key, reader}, {"EXPIRE", key, "604800"}});
  if (!reply) return reply.error();
  return okResult();
}

Result<std::vector<std::string>> RedisDispatchQueue::exclusions(const std::string& study_uid) {
  if (auto ok = checkStudyUid(study_uid); !ok) return ok.error();
  auto reply = client_.command({"SMEMBERS", keys_.dispatchExclusions(study_uid)});
  if (!reply) return reply.error();
  std::vector<std::string> readers;
  for (const Reply& element : reply.value().elements) readers.push_back(element.str);
  return readers;
}

}  // namespace sundial::adapters::redis
