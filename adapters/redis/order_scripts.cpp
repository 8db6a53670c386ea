#include "adapters/redis/order_scripts.h"

namespace sundial::adapters::redis::order_scripts {

// Stores an order (replacing its hash) and re-indexes it by accession and patient ID.
// KEYS: 1 order, 2 orders by accession (new), 3 orders by patient (new), 4 recent orders.
// ARGV: 1 order key, 2 received ms, 3 orders-by-patient prefix, 4 orders-by-accession
//       prefix, 5 accession, 6 patient ID, 7.. field, value, ...
const LuaScript kPutOrder{"orders_put_order", R"lua(
local old = redis.call('HMGET', KEYS[1], 'site', 'patient_id', 'accession')
if old[1] then
  if old[2] and old[2] ~= '' then redis.call('SREM', ARGV[3] .. old[1] .. ':' .. old[2], ARGV[1]) end
  if old[3] and old[3] ~= '' then redis.call('SREM', ARGV[4] .. old[1] .. ':' .. old[3], ARGV[1]) end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
if ARGV[5] ~= '' then redis.call('SADD', KEYS[2], ARGV[1]) end
if ARGV[6] ~= '' then redis.call('SADD', KEYS[3], ARGV[1]) end
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
-- The recent list serves the API only; the orders themselves stay.
redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -10001)
return 1
)lua"};

// Links a study to an order (replacing an earlier link) and takes it off the waiting and
// exception lists and out of the unlinked indexes.
// KEYS: 1 link, 2 order's studies (new), 3 waiting, 4 exceptions, 5 unlinked study.
// ARGV: 1 study uid, 2 order key, 3 reason, 4 cancelled (0/1), 5 linked ms,
//       6 order-studies prefix, 7 unlinked-by-accession prefix, 8 unlinked-by-patient prefix.
const LuaScript kLink{"orders_link", R"lua(
local old = redis.call('HGET', KEYS[1], 'order_key')
if old and old ~= ARGV[2] then redis.call('SREM', ARGV[6] .. old, ARGV[1]) end
redis.call('HSET', KEYS[1], 'order_key', ARGV[2], 'reason', ARGV[3], 'cancelled', ARGV[4],
           'linked_ms', ARGV[5])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
local s = redis.call('HMGET', KEYS[5], 'site', 'accession', 'patient_id')
if s[1] then
  if s[2] and s[2] ~= '' then redis.call('SREM', ARGV[7] .. s[1] .. ':' .. s[2], ARGV[1]) end
  if s[3] and s[3] ~= '' then redis.call('SREM', ARGV[8] .. s[1] .. ':' .. s[3], ARGV[1]) end
  redis.call('DEL', KEYS[5])
end
return 1
)lua"};

// Keeps an unlinked study matchable until its due time. No change when it is linked or
// already kept (waiting or an exception). Returns 1 when added.
// KEYS: 1 link, 2 unlinked study, 3 unlinked by accession, 4 unlinked by patient, 5 waiting.
// ARGV: 1 study uid, 2 site, 3 accession, 4 patient ID, 5 modality, 6 study ms, 7 due ms.
const LuaScript kAddWaiting{"orders_add_waiting", R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'site', ARGV[2], 'accession', ARGV[3], 'patient_id', ARGV[4],
           'modality', ARGV[5], 'study_ms', ARGV[6])
if ARGV[3] ~= '' then redis.call('SADD', KEYS[3], ARGV[1]) end
if ARGV[4] ~= '' then redis.call('SADD', KEYS[4], ARGV[1]) end
redis.call('ZADD', KEYS[5], ARGV[7], ARGV[1])
return 1
)lua"};

// Unlinked studies with an accession number or a patient ID (read only).
// KEYS: 1 unlinked by accession, 2 unlinked by patient.
// ARGV: 1 unlinked-study prefix, 2 use accession (0/1), 3 use patient (0/1).
// Returns { {uid, site, accession, patient_id, modality, study_ms}, ... }.
const LuaScript kWaitingFor{"orders_waiting_for", R"lua(
local seen, out = {}, {}
local function add(set)
  for _, uid in ipairs(redis.call('SMEMBERS', set)) do
    if not seen[uid] then
      seen[uid] = true
      local s = redis.call('HMGET', ARGV[1] .. uid, 'site', 'accession', 'patient_id',
                           'modality', 'study_ms')
      if s[1] then out[#out + 1] = {uid, s[1], s[2] or '', s[3] or '', s[4] or '', s[5] or '0'} end
    end
  end
end
if ARGV[2] == '1' then add(KEYS[1]) end
if ARGV[3] == '1' then add(KEYS[2]) end
return out
)lua"};

// Moves a kept study from waiting to the exceptions (it stays matchable). Returns 1 when
// listed now, 0 when linked meanwhile, not kept, or listed already.
// KEYS: 1 link, 2 waiting, 3 exceptions, 4 unlinked study. ARGV: 1 study uid, 2 since ms.
const LuaScript kAddException{"orders_add_exception", R"lua(
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('EXISTS', KEYS[4]) == 0 then return 0 end
return redis.call('ZADD', KEYS[3], 'NX', ARGV[2], ARGV[1])
)lua"};

// The exception list, oldest first (read only).
// KEYS: 1 exceptions. ARGV: 1 limit, 2 unlinked-study prefix.
// Returns { {uid, since ms, site}, ... }.
const LuaScript kExceptions{"orders_exceptions", R"lua(
local rows = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
local out = {}
for i = 1, #rows, 2 do
  local site = redis.call('HGET', ARGV[2] .. rows[i], 'site') or ''
  out[#out + 1] = {rows[i], rows[i + 1], site}
end
return out
)lua"};

// Moves the prior patient ID's orders and unlinked studies to the surviving ID and records
// the merge on the prior patient.
// KEYS: 1 prior's orders, 2 surviving's orders, 3 prior's unlinked studies, 4 surviving's
//       unlinked studies, 5 prior patient.
// ARGV: 1 surviving patient ID, 2 order prefix, 3 unlinked-study prefix, 4 merged ms.
// Returns { {order keys moved}, {study UIDs moved} }.
const LuaScript kMergePatient{"orders_merge_patient", R"lua(
local orders = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(orders) do
  redis.call('HSET', ARGV[2] .. key, 'patient_id', ARGV[1])
  redis.call('SADD', KEYS[2], key)
end
redis.call('DEL', KEYS[1])
local studies = redis.call('SMEMBERS', KEYS[3])
for _, uid in ipairs(studies) do
  redis.call('HSET', ARGV[3] .. uid, 'patient_id', ARGV[1])
  redis.call('SADD', KEYS[4], uid)
end
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[5], 'merged_into', ARGV[1], 'merged_ms', ARGV[4])
return {orders, studies}
)lua"};

}  // namespace sundial::adapters::redis::order_scripts
