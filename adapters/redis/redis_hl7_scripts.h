#pragma once
// The Lua scripts behind RedisHl7Inbox: each change of the inbox that touches more than one
// key (or must read before it writes) is one script, so it is atomic. KEYS and ARGV are
// documented next to each source in redis_hl7_scripts.cpp; keys come from Hl7KeySchema.
// Internal to adapters/redis.

#include "adapters/redis/redis_client.h"

namespace sundial::adapters::redis::hl7_scripts {

// What kStoreMessage answers in its first element.
inline constexpr long long kStoredDuplicate = 0;
inline constexpr long long kStoredNew = 1;

extern const LuaScript kStoreMessage;
extern const LuaScript kFinishMessage;
extern const LuaScript kRejectMessage;

}  // namespace sundial::adapters::redis::hl7_scripts
