#pragma once
// RedisDecisionLog: engine::DecisionLog on the stream `<prefix>:v1:dispatch:decisions`
// (fields: study, task, decision = the JSON of rules/api/decision_json.h). Capped at about a
// million entries (MAXLEN ~), older decisions live on in the audit trail.

#include <string_view>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/dispatch/decision_log.h"

namespace sundial::adapters::redis {

class RedisDecisionLog final : public engine::DecisionLog {
 public:
  RedisDecisionLog(RedisClientOptions client, std::string_view key_prefix);
  Result<std::string> append(const std::string& study_uid, const std::string& task_id,
                             const std::string& decision_json) override;

 private:
  RedisClient client_;
  KeySchema keys_;
};

}  // namespace sundial::adapters::redis
