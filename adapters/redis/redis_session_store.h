#pragma once
// Log-in sessions in Redis (engine/auth/session_store.h): one hash per session, expiring
// with it, so every node shares them. One instance belongs to one thread (or is used under
// the caller's lock): it owns one Redis connection.

#include <memory>
#include <string>

#include "adapters/redis/redis_client.h"
#include "adapters/redis/session_keys.h"
#include "engine/auth/session_store.h"

namespace sundial::adapters::redis {

class RedisSessionStore final : public engine::auth::SessionStore {
 public:
  RedisSessionStore(RedisClientOptions options, std::string_view key_prefix);

  Result<void> create(const std::string& token_sha256,
                      const engine::auth::Session& session) override;
  Result<std::optional<engine::auth::Session>> find(const std::string& token_sha256) override;
  Result<void> revoke(const std::string& token_sha256) override;

 private:
  RedisClient client_;
  SessionKeys keys_;
};

}  // namespace sundial::adapters::redis
