#pragma once
// The record of every routing decision, kept for `sundial rules replay` and for a
// credentialing dispute: the JSON of rules/api/decision_json.h (input and record), with the
// study and the task it produced. Redis stream `<prefix>:v1:dispatch:decisions`
// (adapters/redis/redis_decision_log). One instance belongs to one thread.

#include <string>

#include "engine/domain/result.h"

namespace sundial::engine {

class DecisionLog {
 public:
  virtual ~DecisionLog() = default;
  // Appends the decision; returns its id (the decision id tasks and the audit trail carry).
  virtual Result<std::string> append(const std::string& study_uid, const std::string& task_id,
                                     const std::string& decision_json) = 0;
};

}  // namespace sundial::engine
