#include "adapters/redis/redis_session_store.h"

#include <algorithm>

namespace sundial::adapters::redis {
namespace {

bool isHexDigest(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Error badKey() { return makeError(ErrorCode::InvalidInput, "session key is not a SHA-256 digest"); }

}  // namespace

RedisSessionStore::RedisSessionStore(RedisClientOptions options, std::string_view key_prefix)
    : client_(std::move(options)), keys_(key_prefix) {}

Result<void> RedisSessionStore::create(const std::string& token_sha256,
                                       const engine::auth::Session& session) {
  if (!isHexDigest(token_sha256)) return badKey();
  const std::string key = keys_.session(token_sha256);
  // One MULTI so that a session never exists without its expiry.
  auto replies = client_.pipeline({
      {"MULTI"},
      {"HSET", key, "user", session.user, "created_ms", std::to_string(toEpochMs(session.created_at)),
       "expires_ms", std::to_string(toEpochMs(session.expires_at))},
      {"PEXPIREAT", key, std::to_string(toEpochMs(session.expires_at))},
      {"EXEC"},
  });
  if (!replies) return replies.error();
  for (const Reply& reply : replies.value()) {
    if (reply.isError()) return makeError(ErrorCode::Internal, reply.str, "session create");
  }
  return okResult();
}

Result<std::optional<engine::auth::Session>> RedisSessionStore::find(
    const std::string& token_sha256) {
  if (!isHexDigest(token_sha256)) return std::optional<engine::auth::Session>();
  auto reply = client_.command({"HMGET", keys_.session(token_sha256), "user", "created_ms",
                                "expires_ms"});
  if (!reply) return reply.error();
  const auto& fields = reply->elements;
  if (reply->type != Reply::Type::Array || fields.size() != 3 || fields[0].isNil()) {
    return std::optional<engine::auth::Session>();
  }
  engine::auth::Session session;
  session.user = fields[0].str;
  session.created_at = fromEpochMs(fields[1].asInteger());
  session.expires_at = fromEpochMs(fields[2].asInteger());
  return std::optional<engine::auth::Session>(std::move(session));
}

Result<void> RedisSessionStore::revoke(const std::string& token_sha256) {
  if (!isHexDigest(token_sha256)) return okResult();
  auto reply = client_.command({"DEL", keys_.session(token_sha256)});
  if (!reply) return reply.error();
  return okResult();
}

}  // namespace sundial::adapters::redis
