#include "adapters/redis/redis_hl7_scripts.h"

namespace sundial::adapters::redis::hl7_scripts {

// Stores one message unless the same (site, sender, control id) was stored within the
// duplicate window: then answers the inbox id it got the first time. The consumer group is
// created with the stream, reading from its start, so no entry is ever added before the
// group that must deliver it exists.
// KEYS: 1 seen key, 2 inbox stream.
// ARGV: 1 duplicate window ms, 2 group, 3 site, 4 sender, 5 control id, 6 type,
//       7 received ms, 8 raw message.
// Returns {kStoredNew, id} or {kStoredDuplicate, id of the first}.
const LuaScript kStoreMessage{"hl7_store_message", R"lua(
local first = redis.call('GET', KEYS[1])
if first then return {0, first} end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[2], '0', 'MKSTREAM')
end
local id = redis.call('XADD', KEYS[2], '*', 'site', ARGV[3], 'sender', ARGV[4],
                      'control_id', ARGV[5], 'type', ARGV[6], 'received_ms', ARGV[7],
                      'raw', ARGV[8])
redis.call('SET', KEYS[1], id, 'PX', ARGV[1])
return {1, id}
)lua"};

// Processed: acknowledged in the group and deleted from the stream (the stream holds only
// what is still to do; the seen key keeps answering duplicates).
// KEYS: 1 inbox stream. ARGV: 1 group, 2 id.
// Returns the number of entries acknowledged (0: not pending, e.g. finished before).
const LuaScript kFinishMessage{"hl7_finish_message", R"lua(
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return acked
)lua"};

// Cannot be processed: copied to the rejected stream with the reason, then finished.
// KEYS: 1 inbox stream, 2 rejected stream.
// ARGV: 1 group, 2 id, 3 reason, 4 rejected ms, 5 most rejected entries kept (approximate).
// Returns 1, or 0 when the id is not in the inbox.
const LuaScript kRejectMessage{"hl7_reject_message", R"lua(
local entries = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
if #entries == 0 then return 0 end
local fields = entries[1][2]
local args = {'XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*'}
for i = 1, #fields do args[#args + 1] = fields[i] end
for _, v in ipairs({'inbox_id', ARGV[2], 'reason', ARGV[3], 'rejected_ms', ARGV[4]}) do
  args[#args + 1] = v
end
redis.call(unpack(args))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
)lua"};

}  // namespace sundial::adapters::redis::hl7_scripts
