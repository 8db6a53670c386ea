#include "adapters/redis/redis_scripts.h"

namespace sundial::adapters::redis::scripts {

// Records one instance unless its hash exists (idempotent per SOP Instance UID), updates its
// study, and enqueues it for its enqueue-now destinations. A new instance for a complete
// study reopens it, so the tracker completes it again and completion enqueues the newcomer.
// KEYS: 1 instance, 2 study, 3 study instances, 4 open studies, 5 active studies,
//       6.. ready list of each enqueue-now destination (same order as in ARGV).
// ARGV: 1 sop, 2 study uid, 3 series, 4 sop class, 5 transfer syntax, 6 path, 7 bytes,
//       8 received ms, 9 site, 10 calling AE, 11 modality, 12 n = number of destinations,
//       13..12+n destinations, then the enqueue-now destinations, then the study
//       attributes (kStudyAttributeFields, in that order; stored on the study's first
//       instance only), then "1" when the instance is held for dispatch (its spool file is
//       kept, counted in `remaining` as `hold`, until kRouteStudy releases it; not for a
//       study already dispatched), then the name of the node whose spool holds the file
//       (empty without one; KEYS 6.. are then that node's ready lists).
// Returns kRecordedNew (1), kRecordedDuplicateInUse (0: already known, its spool file still
// awaited by a destination) or kRecordedDuplicateUnneeded (2: already known and forwarded
// everywhere, or spooled under another path or on another node: this copy's file is not
// needed).
const LuaScript kRecordInstance{"record_instance", R"lua(
local inst, study = KEYS[1], KEYS[2]
local ndest = tonumber(ARGV[12])
local first_fact = 13 + ndest + (#KEYS - 5)
local node = ARGV[first_fact + 11] or ''
if redis.call('EXISTS', inst) == 1 then
  -- A repeat: is the file just spooled still the one the instance's jobs will read?
  local known = redis.call('HMGET', inst, 'remaining', 'path', 'node')
  if tonumber(known[1]) == 0 or known[2] ~= ARGV[6] or (known[3] or '') ~= node then
    return 2
  end
  return 0
end
local sop, received = ARGV[1], tonumber(ARGV[8])
local hold = ARGV[first_fact + 10] == '1'

if redis.call('EXISTS', study) == 0 then
  redis.call('HSET', study, 'site', ARGV[9], 'modality', ARGV[11], 'instances', 0, 'bytes', 0,
             'first_ms', ARGV[8], 'last_ms', ARGV[8], 'state', 'receiving', 'completed_ms', 0)
  local names = {'accession', 'patient_id', 'patient_name', 'birth_date', 'sex', 'study_date',
                 'study_time', 'description', 'body_part', 'referring'}
  for k, name in ipairs(names) do
    local value = ARGV[first_fact + k - 1]
    if value and value ~= '' then redis.call('HSET', study, name, value) end
  end
end
local s = redis.call('HMGET', study, 'first_ms', 'last_ms', 'modality', 'state')
if tonumber(s[1]) > received then redis.call('HSET', study, 'first_ms', ARGV[8]) end
local last = s[2]
if tonumber(s[2]) < received then
  last = ARGV[8]
  redis.call('HSET', study, 'last_ms', last)
end
if (not s[3] or s[3] == '') and ARGV[11] ~= '' then
  redis.call('HSET', study, 'modality', ARGV[11])
end
if s[4] == 'complete' then
  redis.call('HSET', study, 'state', 'receiving', 'completed_ms', 0)
end
redis.call('HINCRBY', study, 'instances', 1)
redis.call('HINCRBY', study, 'bytes', ARGV[7])
if node ~= '' then
  redis.call('HSET', study, 'node', node)
  redis.call('HSET', inst, 'node', node)
end
redis.call('ZADD', KEYS[3], ARGV[8], sop)
redis.call('ZADD', KEYS[4], last, ARGV[2])
redis.call('ZADD', KEYS[5], 'GT', last, ARGV[2])

redis.call('HSET', inst, 'study', ARGV[2], 'series', ARGV[3], 'sop_class', ARGV[4],
           'ts', ARGV[5], 'path', ARGV[6], 'bytes', ARGV[7], 'received_ms', ARGV[8],
           'site', ARGV[9], 'calling_ae', ARGV[10], 'modality', ARGV[11])
local remaining = 0
for i = 1, ndest do
  remaining = remaining + redis.call('HSETNX', inst, 'dst:' .. ARGV[12 + i], 'owed')
end
local first_enqueue = 13 + ndest
for k = 6, #KEYS do
  local dest = ARGV[first_enqueue + k - 6]
  local field = 'dst:' .. dest
  local state = redis.call('HGET', inst, field)
  if not state then remaining = remaining + 1 end
  if state ~= 'queued' then
    redis.call('HSET', inst, field, 'queued')
    redis.call('LPUSH', KEYS[k], sop)
    redis.call('HINCRBY', study, 'p:' .. dest, 1)
  end
end
if hold and redis.call('HGET', study, 'dispatched') ~= '1' then
  redis.call('HSET', inst, 'hold', 1)
  remaining = remaining + 1
end
redis.call('HSET', inst, 'remaining', remaining)
return 1
)lua"};

// Marks a study complete and enqueues each of its instances for each destination it is not
// yet queued, sent or dead for (idempotent per SOP Instance UID and destination): the
// configured on-completion destinations, and those dispatch routed it to (study fields
// r:<dest>, set by kRouteStudy, for instances that arrived after dispatch). A study not yet
// dispatched goes on the dispatch queue, due now (NX: a re-completion keeps its place).
// Each job goes to the ready list of the node holding the instance's spool file.
// With a quiet period (ARGV 5 >= 0), a study still receiving whose last instance (at any
// node) is more recent than that before the completion time is left receiving, and a study
// complete already is left as it is.
// KEYS: 1 study, 2 study instances, 3 open studies, 4 active studies, 5 dispatch pending,
//       6.. ready list of each configured destination (same order as in ARGV; the lists
//       of instances recorded without a node).
// ARGV: 1 study uid, 2 completed ms, 3 instance key prefix, 4 forward key prefix ("...fwd:"),
//       5 quiet period ms (-1: complete whatever), 6.. destinations.
// Returns the number of jobs enqueued, -1 when the study is unknown, or {last received ms}
// when it is not quiet yet.
const LuaScript kCompleteStudy{"complete_study", R"lua(
local study = KEYS[1]
if redis.call('EXISTS', study) == 0 then return -1 end
local quiet = tonumber(ARGV[5])
if quiet >= 0 then
  local s = redis.call('HMGET', study, 'last_ms', 'state')
  if s[2] == 'complete' then return 0 end  -- another node's timer completed it
  if tonumber(s[1]) + quiet > tonumber(ARGV[2]) then return {s[1]} end
end
redis.call('HSET', study, 'state', 'complete', 'completed_ms', ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[4], 'GT', ARGV[2], ARGV[1])
if redis.call('HGET', study, 'dispatched') ~= '1' then
  redis.call('ZADD', KEYS[5], 'NX', ARGV[2], ARGV[1])
end
local dests = {}
for k = 6, #KEYS do dests[#dests + 1] = ARGV[k] end
local fields = redis.call('HKEYS', study)
for _, f in ipairs(fields) do
  if string.sub(f, 1, 2) == 'r:' then
    local dest = string.sub(f, 3)
    local seen = false
    for _, d in ipairs(dests) do seen = seen or d == dest end
    if not seen then dests[#dests + 1] = dest end
  end
end
local enqueued = 0
local sops = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, sop in ipairs(sops) do
  local inst = ARGV[3] .. sop
  local node = redis.call('HGET', inst, 'node')
  local added = 0
  for i, dest in ipairs(dests) do
    local field = 'dst:' .. dest
    local state = redis.call('HGET', inst, field)
    if not state or state == 'owed' then
      if not state then added = added + 1 end
      redis.call('HSET', inst, field, 'queued')
      local ready = ARGV[4] .. dest .. ':ready'
      if node then ready = ready .. ':' .. node end
      redis.call('LPUSH', ready, sop)
      redis.call('HINCRBY', study, 'p:' .. dest, 1)
      enqueued = enqueued + 1
    end
  end
  if added > 0 then redis.call('HINCRBY', inst, 'remaining', added) end
end
return enqueued
)lua"};

// Routes a study to more destinations (a reader's workstation, a rule's extra destinations):
// remembers them on the study (r:<dest>) so instances arriving later follow at completion,
// and enqueues every instance already recorded that is not queued, sent or dead for them.
// Then releases the instances' dispatch hold: an instance no destination still needs has
// its spool file path returned, for the caller to remove, when the file is on the caller's
// node; a file on another node goes on that node's release list (it removes it).
// Each job goes to the ready list of the node holding the instance's spool file.
// KEYS: 1 study, 2 study instances, 3.. ready list of each destination (same order as ARGV;
//       the lists of instances recorded without a node).
// ARGV: 1 instance key prefix, 2 forward key prefix ("...fwd:"), 3 the caller's node name,
//       4 spool key prefix ("...spool:"), 5.. destinations.
// Returns {jobs enqueued, path of each spool file no longer needed...}, or -1 when the study
// is unknown.
const LuaScript kRouteStudy{"route_study", R"lua(
local study = KEYS[1]
if redis.call('EXISTS', study) == 0 then return -1 end
for k = 3, #KEYS do redis.call('HSET', study, 'r:' .. ARGV[k + 2], 1) end
local enqueued = 0
local unneeded = {}
local sops = redis.call('ZRANGE', KEYS[2], 0, -1)
for _, sop in ipairs(sops) do
  local inst = ARGV[1] .. sop
  local node = redis.call('HGET', inst, 'node')
  local added = 0
  for k = 3, #KEYS do
    local dest = ARGV[k + 2]
    local field = 'dst:' .. dest
    local state = redis.call('HGET', inst, field)
    if not state or state == 'owed' then
      if not state then added = added + 1 end
      redis.call('HSET', inst, field, 'queued')
      local ready = ARGV[2] .. dest .. ':ready'
      if node then ready = ready .. ':' .. node end
      redis.call('LPUSH', ready, sop)
      redis.call('HINCRBY', study, 'p:' .. dest, 1)
      enqueued = enqueued + 1
    end
  end
  if added > 0 then redis.call('HINCRBY', inst, 'remaining', added) end
  if redis.call('HGET', inst, 'hold') == '1' then
    redis.call('HDEL', inst, 'hold')
    if redis.call('HINCRBY', inst, 'remaining', -1) <= 0 then
      local path = redis.call('HGET', inst, 'path')
      if (node or '') == ARGV[3] then
        unneeded[#unneeded + 1] = path
      else
        redis.call('LPUSH', ARGV[4] .. node .. ':release', path)
      end
    end
  end
end
local out = {enqueued}
for _, path in ipairs(unneeded) do out[#out + 1] = path end
return out
)lua"};

// KEYS: 1 active studies. ARGV: 1 limit, 2 study key prefix.
// Returns { {uid, {field, value, ...}}, ... }, newest activity first.
const LuaScript kListStudies{"list_studies", R"lua(
local uids = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local out = {}
for i, uid in ipairs(uids) do
  out[i] = {uid, redis.call('HGETALL', ARGV[2] .. uid)}
end
return out
)lua"};

// Forgets finished studies: complete, nothing pending for any destination, every instance
// sent or dead everywhere, and last active before the cutoff.
// A forgotten study also leaves the dispatch queue (nodes without rules never take it off)
// and its re-dispatch exclusions.
// KEYS: 1 active studies, 2 open studies, 3 dispatch pending.
// ARGV: 1 cutoff ms, 2 most studies to look at, 3 study key prefix, 4 instance key prefix,
//       5 dispatch exclusions key prefix.
// Returns the number of studies forgotten.
const LuaScript kForgetFinished{"forget_finished", R"lua(
local candidates = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0,
                              tonumber(ARGV[2]))
local forgotten = 0
for _, uid in ipairs(candidates) do
  local study = ARGV[3] .. uid
  local fields = redis.call('HGETALL', study)
  local finished = #fields > 0
  local complete = false
  for i = 1, #fields, 2 do
    if fields[i] == 'state' and fields[i + 1] == 'complete' then complete = true end
    if string.sub(fields[i], 1, 2) == 'p:' and tonumber(fields[i + 1]) > 0 then
      finished = false
    end
  end
  finished = finished and complete
  local sops = {}
  if finished then
    sops = redis.call('ZRANGE', study .. ':instances', 0, -1)
    for _, sop in ipairs(sops) do
      if tonumber(redis.call('HGET', ARGV[4] .. sop, 'remaining') or '0') > 0 then
        finished = false
        break
      end
    end
  end
  if finished or #fields == 0 then
    for _, sop in ipairs(sops) do redis.call('DEL', ARGV[4] .. sop) end
    redis.call('DEL', study, study .. ':instances')
    redis.call('ZREM', KEYS[1], uid)
    redis.call('ZREM', KEYS[2], uid)
    redis.call('ZREM', KEYS[3], uid)
    redis.call('DEL', ARGV[5] .. uid)
    forgotten = forgotten + 1
  end
end
return forgotten
)lua"};

// KEYS: 1 open studies. ARGV: 1 study key prefix.
// Returns { {uid, site, modality, last_ms, node}, ... }.
const LuaScript kOpenStudies{"open_studies", R"lua(
local uids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for i, uid in ipairs(uids) do
  local f = redis.call('HMGET', ARGV[1] .. uid, 'site', 'modality', 'last_ms', 'node')
  out[i] = {uid, f[1], f[2], f[3], f[4] or ''}
end
return out
)lua"};

// Moves up to `max` jobs from ready to the worker's in-flight list and returns them with the
// instance fields a sender needs. Jobs named in ARGV[6..] were already moved by BLMOVE.
// A job whose instance is no longer queued for this destination is dropped from in flight
// (it was already handled); one whose instance record is missing is dead-lettered.
// When the node's list is empty, jobs of instances recorded without a node (by a build
// before per-node lists: on one node, its own) are taken from KEYS[6].
// KEYS: 1 ready (the worker's node's), 2 in flight, 3 workers, 4 dead, 5 nodes,
//       6 ready of instances without a node (absent when the worker has no node).
// ARGV: 1 max, 2 worker, 3 destination, 4 instance key prefix, 5 now ms, 6 node name (may
//       be empty), 7.. moved sops.
// Returns { {sop, study, sop class, ts, path, received ms, attempts}, ... }.
const LuaScript kClaim{"claim", R"lua(
redis.call('SADD', KEYS[3], ARGV[2])
if ARGV[6] ~= '' then redis.call('SADD', KEYS[5], ARGV[6]) end
local dest = ARGV[3]
local out = {}
local function take(sop)
  local f = redis.call('HMGET', ARGV[4] .. sop, 'study', 'sop_class', 'ts', 'path',
                       'received_ms', 'dst:' .. dest, 'att:' .. dest)
  if f[6] == 'queued' then
    out[#out + 1] = {sop, f[1], f[2], f[3], f[4], f[5] or '0', f[7] or '0'}
    return
  end
  redis.call('LREM', KEYS[2], 1, sop)
  if not f[1] then
    redis.call('LPUSH', KEYS[4], ARGV[5] .. '|' .. sop .. '||instance record missing')
  else
    redis.log(redis.LOG_WARNING, 'sundial: dropped a stale forward job for ' .. dest)
  end
end
for i = 7, #ARGV do take(ARGV[i]) end
local want = tonumber(ARGV[1]) - (#ARGV - 6)
while want > 0 do
  local sop = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not sop and KEYS[6] then sop = redis.call('LMOVE', KEYS[6], KEYS[2], 'RIGHT', 'LEFT') end
  if not sop then break end
  take(sop)
  want = want - 1
end
return out
)lua"};

// Marks (sop, destination) sent. Also accepted when the job is no longer in this worker's
// in-flight list (it was reclaimed meanwhile): the send happened, so the job leaves ready and
// waiting too and is not sent again. A repeated acknowledgement changes nothing.
// KEYS: 1 in flight, 2 ready, 3 waiting, 4 instance, 5 study.
// ARGV: 1 sop, 2 destination.
// Returns 1 when the instance has reached every destination, 0 when not, -1 when the
// instance is unknown.
const LuaScript kAcknowledge{"acknowledge", R"lua(
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
local field = 'dst:' .. ARGV[2]
local state = redis.call('HGET', KEYS[4], field)
if state == 'queued' then
  if removed == 0 then
    redis.call('LREM', KEYS[2], 0, ARGV[1])
    redis.call('ZREM', KEYS[3], ARGV[1])
  end
  redis.call('HSET', KEYS[4], field, 'sent')
  local remaining = redis.call('HINCRBY', KEYS[4], 'remaining', -1)
  redis.call('HINCRBY', KEYS[5], 'p:' .. ARGV[2], -1)
  redis.call('HINCRBY', KEYS[5], 's:' .. ARGV[2], 1)
  if remaining <= 0 then return 1 end
  return 0
end
if state == 'sent' then
  if tonumber(redis.call('HGET', KEYS[4], 'remaining') or '0') <= 0 then return 1 end
  return 0
end
if not state and redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
return 0
)lua"};

// KEYS: 1 in flight, 2 waiting, 3 instance. ARGV: 1 sop, 2 destination, 3 due ms, 4 reason.
// Returns 1 when moved to waiting, 0 when the job was not in this worker's in-flight list.
const LuaScript kRetryLater{"retry_later", R"lua(
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[3], 'dst:' .. ARGV[2]) ~= 'queued' then return 1 end
redis.call('HINCRBY', KEYS[3], 'att:' .. ARGV[2], 1)
redis.call('HSET', KEYS[3], 'err:' .. ARGV[2], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
)lua"};

// KEYS: 1 in flight, 2 dead, 3 instance, 4 study.
// ARGV: 1 sop, 2 destination, 3 reason, 4 now ms, 5 study uid.
// Returns 1 when the instance has now been handled for every destination, 0 when not,
// -1 when the job was not in this worker's in-flight list.
const LuaScript kDeadLetter{"dead_letter", R"lua(
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then return -1 end
local field = 'dst:' .. ARGV[2]
if redis.call('HGET', KEYS[3], field) ~= 'queued' then return 0 end
redis.call('HSET', KEYS[3], field, 'dead', 'err:' .. ARGV[2], ARGV[3])
redis.call('HINCRBY', KEYS[3], 'att:' .. ARGV[2], 1)
local remaining = redis.call('HINCRBY', KEYS[3], 'remaining', -1)
redis.call('HINCRBY', KEYS[4], 'p:' .. ARGV[2], -1)
redis.call('HINCRBY', KEYS[4], 'f:' .. ARGV[2], 1)
redis.call('LPUSH', KEYS[2], ARGV[4] .. '|' .. ARGV[1] .. '|' .. ARGV[5] .. '|' .. ARGV[3])
if remaining <= 0 then return 1 end
return 0
)lua"};

// Moves up to ARGV[2] due jobs from waiting to the taking end of the ready list of the node
// holding each one's spool file (they are older than anything queued behind them).
// KEYS: 1 waiting, 2 ready of instances recorded without a node.
// ARGV: 1 now ms, 2 limit, 3 instance key prefix.
// Returns how many moved.
const LuaScript kPromoteDue{"promote_due", R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for i = #due, 1, -1 do
  redis.call('ZREM', KEYS[1], due[i])
  local node = redis.call('HGET', ARGV[3] .. due[i], 'node')
  local ready = KEYS[2]
  if node then ready = ready .. ':' .. node end
  redis.call('RPUSH', ready, due[i])
end
return #due
)lua"};

// Puts a worker's in-flight jobs back at the taking end of ready, oldest claim taken first.
// KEYS: 1 in flight, 2 ready, 3 workers. ARGV: 1 worker. Returns how many moved.
const LuaScript kReclaim{"reclaim", R"lua(
local n = 0
while redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') do n = n + 1 end
redis.call('SREM', KEYS[3], ARGV[1])
return n
)lua"};

// Ready counts every node's ready list (and the one of instances without a node).
// KEYS: 1 ready without a node, 2 waiting, 3 dead, 4 workers, 5 nodes.
// ARGV: 1 in-flight key prefix.
// Returns {ready, in flight, waiting, dead}.
const LuaScript kDepth{"depth", R"lua(
local in_flight = 0
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  in_flight = in_flight + redis.call('LLEN', ARGV[1] .. worker)
end
local ready = redis.call('LLEN', KEYS[1])
for _, node in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  ready = ready + redis.call('LLEN', KEYS[1] .. ':' .. node)
end
return {ready, in_flight, redis.call('ZCARD', KEYS[2]), redis.call('LLEN', KEYS[3])}
)lua"};

}  // namespace sundial::adapters::redis::scripts
