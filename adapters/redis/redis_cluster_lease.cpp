#include "adapters/redis/redis_cluster_lease.h"

#include <algorithm>

namespace sundial::adapters::redis {

RedisClusterLease::RedisClusterLease(RedisClientOptions client, std::string_view key_prefix)
    : client_(std::move(client)), keys_(key_prefix) {}

Result<bool> RedisClusterLease::tryTake(const std::string& name, const std::string& holder,
                                        std::chrono::milliseconds period) {
  if (!isValidKeyName(name)) {
    return makeError(ErrorCode::InvalidInput, "lease name cannot be used in a Redis key", name);
  }
  auto reply = client_.command(
      {"SET", keys_.lease(name), holder, "NX", "PX", std::to_string(std::max<long long>(1, period.count()))});
  if (!reply) return reply.error();
  return !reply.value().isNil();
}

}  // namespace sundial::adapters::redis
