#include "adapters/redis/task_query_script.h"

namespace sundial::adapters::redis::task_scripts {

// Lists open tasks, most urgent first, from indexes that are already in that order (scores:
// priority rank * 1e13 + due ms), reading only what the query may return: each source is
// walked from the first score the filter allows, a source stops once it has `limit` tasks
// that pass (the first `limit` of the union are among them), and the sources are merged. Only the tasks returned are read in full.
// A page of 200 thus reads about 200 tasks whatever their number, where a scan of the whole
// open index read one per open task that did not match.
//
// KEYS: 1 tasks:open (the scores of a reader's tasks), 2.. the sources.
// ARGV: 1 task key prefix, 2 limit, 3 source kinds, one letter per source ('z': a zset by
//       score; 's': a set of ids, scored through KEYS[1]), 4 n = number of score ranges,
//       then n pairs (min, max exclusive), ascending and disjoint; then, from 5 + 2n:
//       after score ("" none), after id (return only what follows this position), sites
//       (",a,b," or "" any), states (",queued,claimed," or "" any open), scope ("1": the
//       task must be visible to scope reader / scope sites, as engine/app/task_access.cpp's
//       maySee says), scope reader, scope sites (",a,b,"), the packed field's name.
// Returns per task its packed field (redis_task_codec.h), or for a task written before
// packing existed its HGETALL array.
const LuaScript kQueryOpenTasks{"query_open_tasks", R"lua(
local prefix, limit, kinds = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local nranges = tonumber(ARGV[4])
local ranges = {}
for i = 0, nranges - 1 do
  -- Numbers and their text: Redis's Lua turns a number argument into text with 14 digits,
  -- so scores go back to Redis as the text they came in.
  ranges[#ranges + 1] = {tonumber(ARGV[5 + 2 * i]), tonumber(ARGV[6 + 2 * i]),
                         ARGV[5 + 2 * i], ARGV[6 + 2 * i]}
end
local at = 5 + 2 * nranges
local after_score, after_id = tonumber(ARGV[at]), ARGV[at + 1]
local sites, states = ARGV[at + 2], ARGV[at + 3]
local scoped, scope_reader, scope_sites = ARGV[at + 4] == '1', ARGV[at + 5], ARGV[at + 6]
local packed_field = ARGV[at + 7]
local checks = sites ~= '' or states ~= '' or scoped

local function listed(list, item)
  return item and string.find(list, ',' .. item .. ',', 1, true) ~= nil
end

local function follows(score, id)
  if not after_score then return true end
  return score > after_score or (score == after_score and id > after_id)
end

local function passes(id)
  if not checks then return true end
  local f = redis.call('HMGET', prefix .. id, 'site', 'state', 'assigned_reader', 'claimed_by')
  if not f[2] then return false end
  if sites ~= '' and not listed(sites, f[1]) then return false end
  if states ~= '' and not listed(states, f[2]) then return false end
  if scoped then
    local mine = scope_reader ~= '' and (f[3] == scope_reader or f[4] == scope_reader)
    local claimable = scope_reader ~= '' and (f[2] == 'queued' or f[2] == 'escalated')
    if not (mine or claimable or listed(scope_sites, f[1])) then return false end
  end
  return true
end

local function inRanges(score)
  for _, r in ipairs(ranges) do
    if score >= r[1] and score < r[2] then return true end
  end
  return false
end

local found, seen = {}, {}
local function keep(id, score)
  if seen[id] then return true end
  if not passes(id) then return false end
  seen[id] = true
  found[#found + 1] = {score, id}
  return true
end

local want = limit
local function walkZset(key)
  local kept = 0
  for _, r in ipairs(ranges) do
    local lo, lo_text = r[1], r[3]
    if after_score and after_score > lo then lo, lo_text = after_score, ARGV[at] end
    local offset, chunk = 0, want
    while kept < want and lo < r[2] do
      local rows = redis.call('ZRANGEBYSCORE', key, lo_text, '(' .. r[4], 'WITHSCORES',
                              'LIMIT', offset, chunk)
      for i = 1, #rows, 2 do
        local id, score = rows[i], tonumber(rows[i + 1])
        if follows(score, id) and keep(id, score) then
          kept = kept + 1
          if kept >= want then break end
        end
      end
      if #rows < 2 * chunk then break end
      offset = offset + chunk
      chunk = 500
    end
    if kept >= want then return end
  end
end

local function walkSet(key)
  local ids = redis.call('SMEMBERS', key)
  if #ids == 0 then return end
  local scores = redis.call('ZMSCORE', KEYS[1], unpack(ids))
  for i, id in ipairs(ids) do
    local score = tonumber(scores[i])
    if score and inRanges(score) and follows(score, id) then keep(id, score) end
  end
end

for s = 1, #kinds do
  if string.sub(kinds, s, s) == 's' then walkSet(KEYS[s + 1]) else walkZset(KEYS[s + 1]) end
end
table.sort(found, function(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] end
  return a[2] < b[2]
end)
local out = {}
for i = 1, math.min(limit, #found) do
  local key = prefix .. found[i][2]
  local packed = redis.call('HGET', key, packed_field)
  if packed then
    out[#out + 1] = packed
  else
    local all = redis.call('HGETALL', key)
    if #all > 0 then out[#out + 1] = all end
  end
end
return out
)lua"};

// Fills the query indexes from the tasks once, for data written before they existed; from
// then on every change keeps them (kApplyTaskChange). Does nothing when the marker is set.
// KEYS: 1 tasks:open, 2 the marker (tasks:query_indexes), 3 tasks:claimable.
// ARGV: 1 task key prefix, 2 open_site key prefix, 3 open_reader key prefix.
// Returns the number of open tasks indexed (0 when already built).
const LuaScript kBuildQueryIndexes{"build_query_indexes", R"lua(
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local rows = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #rows, 2 do
  local id, score = rows[i], rows[i + 1]
  local f = redis.call('HMGET', ARGV[1] .. id, 'site', 'state', 'assigned_reader', 'claimed_by')
  if f[2] then
    if f[1] and f[1] ~= '' then redis.call('ZADD', ARGV[2] .. f[1], score, id) end
    if f[2] == 'queued' or f[2] == 'escalated' then redis.call('ZADD', KEYS[3], score, id) end
    if f[3] and f[3] ~= '' then redis.call('ZADD', ARGV[3] .. f[3], score, id) end
    if f[4] and f[4] ~= '' then redis.call('ZADD', ARGV[3] .. f[4], score, id) end
  end
end
redis.call('SET', KEYS[2], '1')
return #rows / 2
)lua"};

}  // namespace sundial::adapters::redis::task_scripts
