#pragma once
// RedisClusterLease: engine::ClusterLease on Redis, one key per lease name
// (KeySchema::lease) set with NX and an expiry. Owns one RedisClient: one thread.

#include <string_view>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/store/cluster_lease.h"

namespace sundial::adapters::redis {

class RedisClusterLease final : public engine::ClusterLease {
 public:
  RedisClusterLease(RedisClientOptions client, std::string_view key_prefix);

  // InvalidInput for a name that cannot be used in a key.
  Result<bool> tryTake(const std::string& name, const std::string& holder,
                       std::chrono::milliseconds period) override;

 private:
  RedisClient client_;
  KeySchema keys_;
};

}  // namespace sundial::adapters::redis
