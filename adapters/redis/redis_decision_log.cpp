#include "adapters/redis/redis_decision_log.h"

namespace sundial::adapters::redis {

RedisDecisionLog::RedisDecisionLog(RedisClientOptions client, std::string_view key_prefix)
    : client_(std::move(client)), keys_(key_prefix) {}

Result<std::string> RedisDecisionLog::append(const std::string& study_uid,
                                             const std::string& task_id,
                                             const std::string& decision_json) {
  auto reply = client_.command({"XADD", keys_.dispatchDecisions(), "MAXLEN", "~", "1000000", "*",
                                "study", study_uid, "task", task_id, "decision", decision_json});
  if (!reply) return reply.error();
  return reply.value().str;
}

}  // namespace sundial::adapters::redis
