#pragma once
// Where log-in sessions live: in Redis (adapters/redis/redis_session_store.h), so that every
// node accepts a session another node created and a log-out ends it everywhere. Sessions are
// found by the SHA-256 of their token: the token itself is never stored.
// An implementation belongs to one thread at a time (the caller serialises).

#include <chrono>
#include <optional>
#include <string>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::engine::auth {

struct Session {
  std::string user;
  UtcTime created_at{};
  UtcTime expires_at{};
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Stores the session; it disappears by itself at expires_at.
  virtual Result<void> create(const std::string& token_sha256, const Session& session) = 0;
  // std::nullopt when unknown, revoked or expired. Unavailable when the store does not answer.
  virtual Result<std::optional<Session>> find(const std::string& token_sha256) = 0;
  // Idempotent.
  virtual Result<void> revoke(const std::string& token_sha256) = 0;
};

}  // namespace sundial::engine::auth
