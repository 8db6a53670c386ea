#include "engine/app/http_security.h"

#include "adapters/redis/redis_session_store.h"
#include "engine/app/auth_gate.h"
#include "engine/auth/access_policy.h"

namespace sundial::app {

adapters::http::HttpOptions httpOptionsFor(const config::Config& config) {
  adapters::http::HttpOptions options;
  if (config.security.https.enabled()) {
    options.tls = adapters::http::HttpTlsFiles{config.security.https.certificate.string(),
                                               config.security.https.private_key.string()};
  }
  return options;
}

Result<HttpSecurity> installHttpSecurity(adapters::http::HttpServer& server,
                                         std::shared_ptr<const config::Config> config,
                                         const adapters::redis::RedisClientOptions& redis,
                                         const Clock& clock, engine::AuditSink& audit) {
  const bool secure_cookies = config->security.secure_cookies;
  auto sessions =
      std::make_unique<adapters::redis::RedisSessionStore>(redis, config->redis.key_prefix);
  auto authenticator = Authenticator::create(std::move(config), std::move(sessions), clock, audit);
  if (!authenticator) return authenticator.error();
  HttpSecurity out;
  out.authenticator = std::move(authenticator.value());
  out.api = std::make_unique<AuthApi>(*out.authenticator, secure_cookies);
  out.api->install(server);
  server.setGate(makeAuthGate(*out.authenticator, engine::auth::AccessPolicy::standard()));
  return out;
}

}  // namespace sundial::app
