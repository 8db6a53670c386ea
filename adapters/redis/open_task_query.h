#pragma once
// How RedisTaskStore lists open tasks: which ordered indexes a filter reads (a reader's
// tasks, a site's, the claimable ones, the tasks a reader may see, or every open task), the
// score ranges its priority and due times become, and which checks are left to do per task
// inside kQueryOpenTasks. Pure functions; any thread.

#include <string>
#include <vector>

#include "adapters/redis/redis_client.h"
#include "adapters/redis/task_key_schema.h"
#include "engine/domain/clock.h"
#include "worklist/task.h"
#include "worklist/task_store.h"

namespace sundial::adapters::redis {

// tasks:open and the query indexes are ordered by priority, then due time: rank * 1e13 + due
// ms (due ms < 1e13 until the year 2286; the sum stays exact in a double, and in the 14
// digits Redis's Lua prints a number with).
inline constexpr double kPriorityStride = 1e13;

double openScore(worklist::Priority priority, UtcTime due);
// The score as Redis is given it: an integer, in full.
std::string scoreText(double score);

// Tasks waiting for any eligible reader to claim them (in tasks:claimable).
bool isClaimable(worklist::TaskState state);

// The kQueryOpenTasks call for `filter` (which asks for open tasks only).
ScriptCall openTaskQuery(const TaskKeySchema& keys, const worklist::TaskFilter& filter);

}  // namespace sundial::adapters::redis
