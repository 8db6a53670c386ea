#include "adapters/redis/redis_reader_presence.h"

#include <cstdlib>

#include "adapters/redis/key_schema.h"

namespace sundial::adapters::redis {
namespace {

constexpr std::string_view kOnline = "online";
constexpr std::string_view kOffline = "offline";

// Presence and load of readers, one round trip.
// KEYS: none (keys are built from the prefixes for each reader given).
// ARGV: 1 presence key prefix ("<p>:v1:reader:"), 2 reader task set prefix
//       ("<p>:v1:tasks:reader:"), 3 task key prefix ("<p>:v1:task:"), 4.. reader ids.
// Returns per reader {last_heartbeat_ms, status, open tasks, claimed tasks, rvu as text}.
const LuaScript kReaderLoad{"reader_load", R"lua(
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local p = redis.call('HMGET', ARGV[1] .. id, 'last_heartbeat_ms', 'status')
  local open, claimed, rvu = 0, 0, 0
  for _, task in ipairs(redis.call('SMEMBERS', ARGV[2] .. id)) do
    local f = redis.call('HMGET', ARGV[3] .. task, 'state', 'rvu')
    if f[1] then
      open = open + 1
      if f[1] == 'claimed' or f[1] == 'in_progress' then claimed = claimed + 1 end
      rvu = rvu + (tonumber(f[2]) or 0)
    end
  end
  out[#out + 1] = {p[1] or '0', p[2] or 'offline', open, claimed, tostring(rvu)}
end
return out
)lua"};

Error badReader(const std::string& reader) {
  return makeError(ErrorCode::InvalidInput, "reader '" + reader + "' is not a valid name");
}

}  // namespace

RedisReaderPresence::RedisReaderPresence(RedisClientOptions client, std::string_view key_prefix,
                                         std::chrono::milliseconds offline_after)
    : client_(std::move(client)), keys_(key_prefix), offline_after_(offline_after) {}

Result<void> RedisReaderPresence::heartbeat(const std::string& reader, UtcTime now) {
  if (!isValidKeyName(reader)) return badReader(reader);
  auto reply = client_.command({"HSET", keys_.presence(reader), "last_heartbeat_ms",
                                std::to_string(toEpochMs(now)), "status", std::string(kOnline)});
  if (!reply) return reply.error();
  return okResult();
}

Result<void> RedisReaderPresence::signOff(const std::string& reader, UtcTime now) {
  if (!isValidKeyName(reader)) return badReader(reader);
  auto reply = client_.command({"HSET", keys_.presence(reader), "status", std::string(kOffline),
                                "signed_off_ms", std::to_string(toEpochMs(now))});
  if (!reply) return reply.error();
  return okResult();
}

Result<std::vector<worklist::ReaderLoad>> RedisReaderPresence::load(
    const std::vector<std::string>& readers, UtcTime now) {
  ScriptCall call;
  call.args = {keys_.presence(""), keys_.reader(""), keys_.task("")};
  for (const auto& reader : readers) {
    if (!isValidKeyName(reader)) return badReader(reader);
    call.args.push_back(reader);
  }
  auto reply = client_.eval(kReaderLoad, call);
  if (!reply) return reply.error();
  std::vector<worklist::ReaderLoad> out;
  for (std::size_t i = 0; i < readers.size() && i < reply->elements.size(); ++i) {
    const auto& row = reply->elements[i].elements;
    if (row.size() < 5) continue;
    worklist::ReaderLoad load;
    load.reader = readers[i];
    long long last_ms = std::atoll(row[0].str.c_str());
    load.last_heartbeat = last_ms == 0 ? UtcTime{} : fromEpochMs(last_ms);
    load.online = row[1].str == kOnline && last_ms > 0 &&
                  now - load.last_heartbeat <= offline_after_;
    load.open_tasks = static_cast<int>(row[2].integer);
    load.claimed_tasks = static_cast<int>(row[3].integer);
    load.open_rvu = std::atof(row[4].str.c_str());
    out.push_back(std::move(load));
  }
  return out;
}

}  // namespace sundial::adapters::redis
