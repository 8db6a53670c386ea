#pragma once
// RedisDispatchQueue: engine::DispatchQueue on the `dispatch:pending` sorted set (scored by
// due epoch ms; KeySchema). Taking a study re-scores it to the end of its lease, in one
// script, so two dispatchers never take the same study at the same time.

#include <string_view>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/dispatch/dispatch_queue.h"

namespace sundial::adapters::redis {

class RedisDispatchQueue final : public engine::DispatchQueue {
 public:
  RedisDispatchQueue(RedisClientOptions client, std::string_view key_prefix);

  Result<std::vector<std::string>> take(UtcTime now, std::chrono::milliseconds lease,
                                        int max) override;
  Result<void> postpone(const std::string& study_uid, UtcTime until) override;
  Result<void> done(const std::string& study_uid) override;
  Result<void> requeue(const std::string& study_uid, UtcTime at) override;
  Result<long long> depth() override;
  Result<void> exclude(const std::string& study_uid, const std::string& reader) override;
  Result<std::vector<std::string>> exclusions(const std::string& study_uid) override;

 private:
  RedisClient client_;
  KeySchema keys_;
};

}  // namespace sundial::adapters::redis
