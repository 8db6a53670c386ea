#include "adapters/redis/redis_task_scripts.h"

namespace sundial::adapters::redis::task_scripts {

// Applies one change to a read task, atomically: compares the stored version with the one the
// change was decided on (so two readers or two nodes cannot both claim), checks the guards
// (one open task per study), writes every field, appends the event to the history, updates the
// indexes and adds the change to the capped stream that live updates read.
// KEYS: 1 task hash, 2 history list, 3 change stream, 4.. keys the operations name.
// ARGV: 1 expected version ("0": the task must not exist yet), 2 n = number of fields,
//       3..2+2n field/value pairs, 3+2n event JSON, 4+2n stream length cap,
//       5+2n m = number of operations, then m times (op, key index, member, score), then
//       the task packed in one string (redis_task_codec.h; kept in the hash, not streamed).
// Returns kApplied, kStaleVersion, kTaskMissing, or {"dup", <holder>} (nothing written).
const LuaScript kApplyTaskChange{"apply_task_change", R"lua(
local expected = ARGV[1]
local current = redis.call('HGET', KEYS[1], 'version')
if expected == '0' then
  if current then return {'dup', redis.call('HGET', KEYS[1], 'id')} end
else
  if not current then return -1 end
  if current ~= expected then return 0 end
end
local n = tonumber(ARGV[2])
local ev = 3 + 2 * n
local nops = tonumber(ARGV[ev + 2])
local base = ev + 3
for i = 0, nops - 1 do
  local at = base + 4 * i
  if ARGV[at] == 'guard' then
    local holder = redis.call('GET', KEYS[tonumber(ARGV[at + 1])])
    if holder and holder ~= ARGV[at + 2] then return {'dup', holder} end
  end
end
local fields = {}
for i = 3, 2 + 2 * n do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HSET', KEYS[1], 'packed', ARGV[base + 4 * nops])  -- kPackedField
redis.call('RPUSH', KEYS[2], ARGV[ev])
for i = 0, nops - 1 do
  local at = base + 4 * i
  local op, key, member, score = ARGV[at], KEYS[tonumber(ARGV[at + 1])], ARGV[at + 2], ARGV[at + 3]
  if op == 'sadd' then redis.call('SADD', key, member)
  elseif op == 'srem' then redis.call('SREM', key, member)
  elseif op == 'zadd' then redis.call('ZADD', key, score, member)
  elseif op == 'zrem' then redis.call('ZREM', key, member)
  elseif op == 'set' or op == 'guard' then redis.call('SET', key, member)
  elseif op == 'delif' then
    if redis.call('GET', key) == member then redis.call('DEL', key) end
  end
end
fields[#fields + 1] = 'event'
fields[#fields + 1] = ARGV[ev]
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[ev + 1], '*', unpack(fields))
return 1
)lua"};

// Lists tasks from one index, keeping those that pass the filter, in the index's order, until
// `limit` are found: filtering inside Redis keeps 20,000 open tasks from crossing the socket
// for a page of 200.
// KEYS: 1 the index (tasks:open zset ordered by priority then due; tasks:all zset; or a set).
// ARGV: 1 index kind ("zset" ascending, "zrev" descending, "set"), 2 task key prefix, 3 limit,
//       4 sites (",a,b," or "" for any), 5 priority ("" any), 6 states (",queued,claimed,"; ""
//       for any but delivered and cancelled), 7 due min ms ("" none), 8 due max ms, exclusive
//       ("" none).
// Returns one HGETALL array per task kept.
const LuaScript kFetchTasks{"fetch_tasks", R"lua(
local kind, prefix, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local sites, priority, states = ARGV[4], ARGV[5], ARGV[6]
local due_min, due_max = tonumber(ARGV[7]), tonumber(ARGV[8])
local out = {}
local function consider(id)
  local key = prefix .. id
  local f = redis.call('HMGET', key, 'site', 'priority', 'state', 'due_ms')
  if not f[3] then return end
  if sites ~= '' and not string.find(sites, ',' .. f[1] .. ',', 1, true) then return end
  if priority ~= '' and f[2] ~= priority then return end
  if states ~= '' then
    if not string.find(states, ',' .. f[3] .. ',', 1, true) then return end
  elseif f[3] == 'delivered' or f[3] == 'cancelled' then
    return
  end
  local due = tonumber(f[4]) or 0
  if due_min and due < due_min then return end
  if due_max and due >= due_max then return end
  out[#out + 1] = redis.call('HGETALL', key)
end
if kind == 'set' then
  for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do consider(id) end
  return out
end
local chunk, start = 500, 0
while #out < limit do
  local ids
  if kind == 'zrev' then
    ids = redis.call('ZREVRANGE', KEYS[1], start, start + chunk - 1)
  else
    ids = redis.call('ZRANGE', KEYS[1], start, start + chunk - 1)
  end
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    consider(id)
    if #out >= limit then break end
  end
  start = start + chunk
end
return out
)lua"};

}  // namespace sundial::adapters::redis::task_scripts
