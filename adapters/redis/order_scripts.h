#pragma once
// The Lua scripts behind RedisOrderStore: each change of several keys is one script, so a
// link, a merge or an order's re-indexing is never half done. KEYS and ARGV are documented
// next to each source in order_scripts.cpp; keys come from OrderKeys. Internal to
// adapters/redis.

#include "adapters/redis/redis_client.h"

namespace sundial::adapters::redis::order_scripts {

extern const LuaScript kPutOrder;
extern const LuaScript kLink;
extern const LuaScript kAddWaiting;
extern const LuaScript kWaitingFor;
extern const LuaScript kAddException;
extern const LuaScript kExceptions;
extern const LuaScript kMergePatient;

}  // namespace sundial::adapters::redis::order_scripts
