#pragma once
// The Lua script that lists open tasks from the ordered query indexes (see
// task_query_script.cpp for KEYS and ARGV; open_task_query.h builds its calls).
// Internal to adapters/redis.

#include "adapters/redis/redis_client.h"

namespace sundial::adapters::redis::task_scripts {

extern const LuaScript kQueryOpenTasks;
extern const LuaScript kBuildQueryIndexes;

}  // namespace sundial::adapters::redis::task_scripts
