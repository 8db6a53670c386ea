#pragma once
// Who is calling the HTTP API: local accounts (scrypt hashes from the configuration) logging
// in for a session token kept in Redis, API tokens for machine clients (configured as
// SHA-256 hashes), and bearer JWTs from an OpenID Connect issuer. Every log-in, failed
// log-in and log-out goes to the audit trail; no password or token is ever logged.
// Thread-safe: handlers on several io threads may call it (the session store is used under
// a private lock; it owns one Redis connection).

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/http/http_message.h"
#include "adapters/tls/jwt_verifier.h"
#include "engine/audit/audit_sink.h"
#include "engine/auth/login_throttle.h"
#include "engine/auth/session_store.h"
#include "engine/config/config.h"
#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::app {

struct LoginGranted {
  std::string token;  // give to the client once; only its hash is stored
  UtcTime expires_at{};
  adapters::http::Principal principal;
};

class Authenticator {
 public:
  // Checks every configured password hash and loads the issuer's keys: InvalidInput naming
  // the user or file when one is unusable (a start-up error).
  static Result<std::unique_ptr<Authenticator>> create(
      std::shared_ptr<const config::Config> config,
      std::unique_ptr<engine::auth::SessionStore> sessions, const Clock& clock,
      engine::AuditSink& audit);

  // Rejected for a wrong user or password (the same answer for both), ResourceExhausted
  // while throttled (the message says for how long), Unavailable when Redis is down.
  Result<LoginGranted> login(const std::string& user, const std::string& password,
                             const std::string& address);
  // Ends the session the token names (idempotent).
  Result<void> logout(const std::string& token, const std::string& user);

  // The caller of a request, from `Authorization: Bearer ...` or the session cookie.
  // NotFound when the request carries no credentials, Rejected when they are not valid,
  // Unavailable when the session store does not answer.
  Result<adapters::http::Principal> authenticate(const adapters::http::Request& request);

  // /metrics: a configured scraper address or token.
  bool scraperAllowed(const adapters::http::Request& request) const;

 private:
  Authenticator(std::shared_ptr<const config::Config> config,
                std::unique_ptr<engine::auth::SessionStore> sessions, const Clock& clock,
                engine::AuditSink& audit, std::shared_ptr<const adapters::tls::JwtVerifier> jwt);

  Result<adapters::http::Principal> fromSession(const std::string& token);
  Result<adapters::http::Principal> fromJwt(const std::string& token);
  std::optional<adapters::http::Principal> fromApiToken(const std::string& token) const;
  void audit(std::string action, std::string actor, std::string outcome, std::string address,
             std::string reason = {});

  std::shared_ptr<const config::Config> config_;
  const Clock& clock_;
  engine::AuditSink& audit_;
  std::shared_ptr<const adapters::tls::JwtVerifier> jwt_;
  engine::auth::LoginThrottle throttle_;
  std::mutex sessions_mutex_;  // guards sessions_ (one Redis connection)
  std::unique_ptr<engine::auth::SessionStore> sessions_;
  std::string dummy_hash_;  // verified for unknown users, so timing does not tell who exists
};

// The token a request carries: `Authorization: Bearer <token>` or, for the page (an
// EventSource cannot set headers), the `sundial_session` cookie. Empty when none.
std::string bearerToken(const adapters::http::Request& request);

inline constexpr std::string_view kSessionCookie = "sundial_session";

}  // namespace sundial::app
