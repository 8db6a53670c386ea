#pragma once
// The Lua scripts behind RedisTaskStore (see redis_task_scripts.cpp for KEYS and ARGV).
// Internal to adapters/redis.

#include "adapters/redis/redis_client.h"

namespace sundial::adapters::redis::task_scripts {

// What kApplyTaskChange answers (an array {"dup", <task id>} when a guard is held).
inline constexpr long long kApplied = 1;
inline constexpr long long kStaleVersion = 0;
inline constexpr long long kTaskMissing = -1;
inline constexpr std::string_view kGuardHeld = "dup";

// Index operations, each (op, key index, member, score).
inline constexpr std::string_view kOpSetAdd = "sadd";
inline constexpr std::string_view kOpSetRemove = "srem";
inline constexpr std::string_view kOpZAdd = "zadd";
inline constexpr std::string_view kOpZRemove = "zrem";
inline constexpr std::string_view kOpSet = "set";
inline constexpr std::string_view kOpGuard = "guard";       // fail unless unset or = member; then set
inline constexpr std::string_view kOpDeleteIf = "delif";    // delete if its value = member

extern const LuaScript kApplyTaskChange;
extern const LuaScript kFetchTasks;

}  // namespace sundial::adapters::redis::task_scripts
