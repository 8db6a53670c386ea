#pragma once
// The Lua scripts behind RedisReportOutbox: each change of a delivery's state touches its
// hash and one or more lists, so each is one script (atomic). KEYS and ARGV are documented
// next to each source in outbox_scripts.cpp; keys come from OutboxKeySchema. Internal to
// adapters/redis.

#include "adapters/redis/redis_client.h"

namespace sundial::adapters::redis::outbox_scripts {

// Delivery states stored in the hash's `state` field.
inline constexpr std::string_view kStateReady = "ready";
inline constexpr std::string_view kStateInFlight = "inflight";
inline constexpr std::string_view kStateWaiting = "waiting";
inline constexpr std::string_view kStateDelivered = "delivered";
inline constexpr std::string_view kStateDead = "dead";

extern const LuaScript kAdd;
extern const LuaScript kClaim;
extern const LuaScript kDelivered;
extern const LuaScript kRetryLater;
extern const LuaScript kDeadLetter;
extern const LuaScript kUnappliedOutcomes;
extern const LuaScript kPromoteDue;
extern const LuaScript kReclaim;
extern const LuaScript kDepth;
extern const LuaScript kDeadLetters;
extern const LuaScript kRetryDead;

}  // namespace sundial::adapters::redis::outbox_scripts
