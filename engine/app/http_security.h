#pragma once
// Puts the security part on an HTTP server: the authenticator (sessions in Redis), the gate
// that checks every request against the access policy, and the log-in endpoints. One call
// from the serve command; the returned object must outlive the server.

#include <memory>

#include "adapters/http/http_server.h"
#include "adapters/redis/redis_client.h"
#include "engine/app/auth_api.h"
#include "engine/app/authenticator.h"
#include "engine/audit/audit_sink.h"
#include "engine/config/config.h"

namespace sundial::app {

struct HttpSecurity {
  std::unique_ptr<Authenticator> authenticator;
  std::unique_ptr<AuthApi> api;
};

// The server's options from the configuration: HTTPS when security.https names a
// certificate.
adapters::http::HttpOptions httpOptionsFor(const config::Config& config);

// Before server.start(). InvalidInput (a start-up error) for an unusable password hash or
// JWKS file.
Result<HttpSecurity> installHttpSecurity(adapters::http::HttpServer& server,
                                         std::shared_ptr<const config::Config> config,
                                         const adapters::redis::RedisClientOptions& redis,
                                         const Clock& clock, engine::AuditSink& audit);

}  // namespace sundial::app
