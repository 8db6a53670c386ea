#pragma once
// The Lua scripts behind RedisStateStore and RedisForwardQueue. Each multi-key change is one
// script so it is atomic. The KEYS and ARGV each expects are documented next to its source
// in redis_scripts.cpp; keys come from KeySchema. Internal to adapters/redis.

#include "adapters/redis/redis_client.h"

namespace sundial::adapters::redis::scripts {

// Instance states stored in the instance hash as dst:<destination>.
inline constexpr std::string_view kStateOwed = "owed";      // must reach it, not queued yet
inline constexpr std::string_view kStateQueued = "queued";  // ready, in flight or waiting
inline constexpr std::string_view kStateSent = "sent";
inline constexpr std::string_view kStateDead = "dead";

// What kRecordInstance answers for each instance.
inline constexpr long long kRecordedDuplicateInUse = 0;
inline constexpr long long kRecordedNew = 1;
inline constexpr long long kRecordedDuplicateUnneeded = 2;

extern const LuaScript kRecordInstance;
extern const LuaScript kCompleteStudy;
extern const LuaScript kRouteStudy;
extern const LuaScript kListStudies;
extern const LuaScript kOpenStudies;
extern const LuaScript kForgetFinished;

extern const LuaScript kClaim;
extern const LuaScript kAcknowledge;
extern const LuaScript kRetryLater;
extern const LuaScript kDeadLetter;
extern const LuaScript kPromoteDue;
extern const LuaScript kReclaim;
extern const LuaScript kDepth;

}  // namespace sundial::adapters::redis::scripts
