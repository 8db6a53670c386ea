#include "adapters/redis/outbox_scripts.h"

namespace sundial::adapters::redis::outbox_scripts {

// Stores a new delivery and queues it at the putting end of ready.
// KEYS: 1 delivery hash, 2 ready. ARGV: 1 id, 2 task, 3 site, 4 message, 5 now ms,
// 6 accession, 7 patient id.
// Returns 1, or 0 when the id is taken (nothing changed).
const LuaScript kAdd{"outbox_add", R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'task', ARGV[2], 'site', ARGV[3], 'message', ARGV[4],
           'attempts', 0, 'error', '', 'state', 'ready', 'queued_ms', ARGV[5],
           'updated_ms', ARGV[5], 'accession', ARGV[6], 'patient', ARGV[7])
redis.call('LPUSH', KEYS[2], ARGV[1])
return 1
)lua"};

// Takes the oldest ready delivery into the worker's in-flight list (or the one BLMOVE already
// moved, ARGV[4]). An id whose hash is gone or not ready is dropped from in flight and the
// next one taken.
// KEYS: 1 ready, 2 in flight, 3 workers. ARGV: 1 worker, 2 delivery key prefix, 3 now ms,
// [4 id already in flight].
// Returns {id, task, site, message, attempts, error, queued_ms, accession, patient} or nil.
const LuaScript kClaim{"outbox_claim", R"lua(
redis.call('SADD', KEYS[3], ARGV[1])
local id = ARGV[4]
while true do
  if not id then
    id = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
    if not id then return false end
  end
  local key = ARGV[2] .. id
  local f = redis.call('HMGET', key, 'state', 'task', 'site', 'message', 'attempts', 'error',
                       'queued_ms', 'accession', 'patient')
  if f[1] == 'ready' then
    redis.call('HSET', key, 'state', 'inflight', 'worker', ARGV[1], 'updated_ms', ARGV[3])
    return {id, f[2] or '', f[3] or '', f[4] or '', f[5] or '0', f[6] or '', f[7] or '0',
            f[8] or '', f[9] or ''}
  end
  redis.call('LREM', KEYS[2], 1, id)
  redis.log(redis.LOG_WARNING, 'sundial: dropped a stale report delivery id from ready')
  id = nil
end
)lua"};

// The site acknowledged it. Also accepted when it is no longer in this worker's in-flight list
// (reclaimed meanwhile): it reached the site, so it leaves ready and retry too. The hash is
// kept for `retention` seconds for people and audits.
// A delivery of a task's report also waits in unapplied until the worklist confirms it moved
// the task (outcomeApplied): the outcome is durable in the same step that records it.
// KEYS: 1 in flight, 2 delivery hash, 3 ready, 4 retry, 5 unapplied. ARGV: 1 id, 2 now ms,
// 3 retention s.
// Returns 1, or -1 for an unknown delivery.
const LuaScript kDelivered{"outbox_delivered", R"lua(
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
local state = redis.call('HGET', KEYS[2], 'state')
if not state then return -1 end
if state == 'delivered' then return 1 end
if removed == 0 then
  redis.call('LREM', KEYS[3], 0, ARGV[1])
  redis.call('ZREM', KEYS[4], ARGV[1])
end
redis.call('HSET', KEYS[2], 'state', 'delivered', 'delivered_ms', ARGV[2], 'updated_ms', ARGV[2])
redis.call('HDEL', KEYS[2], 'worker')
redis.call('EXPIRE', KEYS[2], ARGV[3])
local task = redis.call('HGET', KEYS[2], 'task')
if task and task ~= '' then redis.call('ZADD', KEYS[5], 'NX', ARGV[2], ARGV[1]) end
return 1
)lua"};

// A failed try that may pass later: counted, its reason kept, waiting until its due time.
// KEYS: 1 in flight, 2 retry, 3 delivery hash. ARGV: 1 id, 2 due ms, 3 reason, 4 now ms.
// Returns 1, or 0 when it is not in flight for this worker.
const LuaScript kRetryLater{"outbox_retry_later", R"lua(
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[3], 'attempts', 1)
redis.call('HSET', KEYS[3], 'state', 'waiting', 'error', ARGV[3], 'updated_ms', ARGV[4])
redis.call('HDEL', KEYS[3], 'worker')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
)lua"};

// Given up: counted, its reason kept, its id at the head of the site's dead-letter list.
// A task's delivery also waits in unapplied until the worklist has recorded the failure.
// KEYS: 1 in flight, 2 dead, 3 delivery hash, 4 unapplied. ARGV: 1 id, 2 reason, 3 now ms.
// Returns 1, or 0 when it is not in flight for this worker.
const LuaScript kDeadLetter{"outbox_dead_letter", R"lua(
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[3], 'attempts', 1)
redis.call('HSET', KEYS[3], 'state', 'dead', 'error', ARGV[2], 'dead_ms', ARGV[3],
           'updated_ms', ARGV[3])
redis.call('HDEL', KEYS[3], 'worker')
redis.call('LPUSH', KEYS[2], ARGV[1])
local task = redis.call('HGET', KEYS[3], 'task')
if task and task ~= '' then redis.call('ZADD', KEYS[4], 'NX', ARGV[3], ARGV[1]) end
return 1
)lua"};

// The oldest `limit` outcomes the worklist has not confirmed, with what it needs to apply
// them. An id whose hash has expired (kept past the delivered retention) is dropped: there is
// nothing left to apply. Not read only (that drop), but idempotent.
// KEYS: 1 unapplied. ARGV: 1 limit, 2 delivery key prefix.
// Returns {{id, task, site, state, error}, ...}.
const LuaScript kUnappliedOutcomes{"outbox_unapplied_outcomes", R"lua(
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)) do
  local f = redis.call('HMGET', ARGV[2] .. id, 'task', 'site', 'state', 'error')
  if not f[3] then
    redis.call('ZREM', KEYS[1], id)
  else
    out[#out + 1] = {id, f[1] or '', f[2] or '', f[3], f[4] or ''}
  end
end
return out
)lua"};

// Moves due retries to the taking end of ready, earliest due taken first.
// KEYS: 1 retry, 2 ready. ARGV: 1 now ms, 2 batch, 3 delivery key prefix. Returns how many.
const LuaScript kPromoteDue{"outbox_promote_due", R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for i = #due, 1, -1 do
  redis.call('ZREM', KEYS[1], due[i])
  if redis.call('EXISTS', ARGV[3] .. due[i]) == 1 then
    redis.call('HSET', ARGV[3] .. due[i], 'state', 'ready')
  end
  redis.call('RPUSH', KEYS[2], due[i])
end
return #due
)lua"};

// Puts a worker's in-flight deliveries back at the taking end of ready, oldest claim first.
// KEYS: 1 in flight, 2 ready, 3 workers. ARGV: 1 worker, 2 delivery key prefix.
// Returns how many moved.
const LuaScript kReclaim{"outbox_reclaim", R"lua(
local n = 0
while true do
  local id = redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT')
  if not id then break end
  local key = ARGV[2] .. id
  if redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'state', 'ready')
    redis.call('HDEL', key, 'worker')
  end
  n = n + 1
end
redis.call('SREM', KEYS[3], ARGV[1])
return n
)lua"};

// KEYS: 1 ready, 2 retry, 3 dead, 4 workers. ARGV: 1 in-flight key prefix.
// Returns {ready, in flight, waiting, dead}.
const LuaScript kDepth{"outbox_depth", R"lua(
local in_flight = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  in_flight = in_flight + redis.call('LLEN', ARGV[1] .. worker)
end
return {redis.call('LLEN', KEYS[1]), in_flight, redis.call('ZCARD', KEYS[2]),
        redis.call('LLEN', KEYS[3])}
)lua"};

// The newest `limit` dead letters with their reasons. Read only.
// KEYS: 1 dead. ARGV: 1 limit, 2 delivery key prefix.
// Returns {{id, task, site, reason, attempts, dead_ms}, ...}.
const LuaScript kDeadLetters{"outbox_dead_letters", R"lua(
local out = {}
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)) do
  local f = redis.call('HMGET', ARGV[2] .. id, 'task', 'site', 'error', 'attempts', 'dead_ms')
  out[#out + 1] = {id, f[1] or '', f[2] or '', f[3] or '', f[4] or '0', f[5] or '0'}
end
return out
)lua"};

// A person asks for a dead delivery to go again: out of dead, attempts reset, at the taking
// end of ready (next to go). The last error stays for reference.
// KEYS: 1 delivery hash, 2 dead, 3 ready. ARGV: 1 id, 2 now ms, 3 site.
// Returns 1, 0 when it is not dead (or not this site's), -1 when unknown.
const LuaScript kRetryDead{"outbox_retry_dead", R"lua(
local f = redis.call('HMGET', KEYS[1], 'state', 'site')
if not f[1] then return -1 end
if f[1] ~= 'dead' or f[2] ~= ARGV[3] then return 0 end
redis.call('LREM', KEYS[2], 0, ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'ready', 'attempts', 0, 'updated_ms', ARGV[2])
redis.call('HDEL', KEYS[1], 'dead_ms')
redis.call('RPUSH', KEYS[3], ARGV[1])
return 1
)lua"};

}  // namespace sundial::adapters::redis::outbox_scripts
