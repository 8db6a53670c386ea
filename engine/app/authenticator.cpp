#include "engine/app/authenticator.h"

#include <algorithm>
#include <cctype>

#include "adapters/tls/crypto_random.h"
#include "adapters/tls/password_hash.h"
#include "engine/auth/access_policy.h"
#include "engine/config/config_loader.h"
#include "engine/domain/log.h"

namespace sundial::app {
namespace {

using adapters::http::Principal;
using adapters::http::Request;

constexpr std::string_view kBearerPrefix = "Bearer ";
constexpr std::size_t kMaxUserNameBytes = 256;
constexpr std::size_t kMaxPasswordBytes = 1024;

template <typename Account>
Principal principalOf(const Account& account) {
  return Principal{account.name, account.roles, account.sites, account.reader};
}

Error rejected(std::string why) { return makeError(ErrorCode::Rejected, std::move(why)); }

std::string cookieValue(const std::string& header, std::string_view name) {
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + start, end - start);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string bearerToken(const Request& request) {
  if (auto it = request.headers.find("authorization"); it != request.headers.end()) {
    const std::string& value = it->second;
    if (value.size() > kBearerPrefix.size() &&
        std::equal(kBearerPrefix.begin(), kBearerPrefix.end(), value.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return value.substr(kBearerPrefix.size());
    }
    return {};
  }
  if (auto it = request.headers.find("cookie"); it != request.headers.end()) {
    return cookieValue(it->second, kSessionCookie);
  }
  return {};
}

Authenticator::Authenticator(std::shared_ptr<const config::Config> config,
                             std::unique_ptr<engine::auth::SessionStore> sessions,
                             const Clock& clock, engine::AuditSink& audit,
                             std::shared_ptr<const adapters::tls::JwtVerifier> jwt)
    : config_(std::move(config)),
      clock_(clock),
      audit_(audit),
      jwt_(std::move(jwt)),
      throttle_(engine::auth::ThrottleSettings{config_->security.login_throttle.max_failures,
                                               config_->security.login_throttle.window,
                                               config_->security.login_throttle.lockout},
                clock),
      sessions_(std::move(sessions)) {}

Result<std::unique_ptr<Authenticator>> Authenticator::create(
    std::shared_ptr<const config::Config> config,
    std::unique_ptr<engine::auth::SessionStore> sessions, const Clock& clock,
    engine::AuditSink& audit) {
  for (const config::UserConfig& user : config->security.users) {
    if (auto checked = adapters::tls::checkPasswordHash(user.password_hash); !checked) {
      return makeError(ErrorCode::InvalidInput,
                       "security.users '" + user.name + "': " + checked.error().message,
                       config->source_file.string() + ":" + std::to_string(user.config_line));
    }
  }
  std::shared_ptr<const adapters::tls::JwtVerifier> jwt;
  if (config->security.oidc.enabled) {
    const config::OidcConfig& oidc = config->security.oidc;
    adapters::tls::JwtExpectations expect{oidc.issuer,     oidc.audience,     oidc.leeway,
                                          oidc.user_claim, oidc.role_claim,   oidc.site_claim,
                                          oidc.reader_claim};
    auto loaded = adapters::tls::JwtVerifier::fromJwksFile(oidc.jwks_file, expect);
    if (!loaded) return makeError(ErrorCode::InvalidInput, "security.oidc: " + loaded.error().message);
    jwt = std::move(loaded.value());
  }
  std::unique_ptr<Authenticator> out(
      new Authenticator(std::move(config), std::move(sessions), clock, audit, std::move(jwt)));
  // Checked against for unknown users: made like the configured users' hashes, so that
  // answering for a name that does not exist takes as long as for one that does.
  adapters::tls::ScryptParameters like;
  if (!out->config_->security.users.empty()) {
    like = adapters::tls::parametersOf(out->config_->security.users.front().password_hash).value();
  }
  auto dummy = adapters::tls::hashPassword("no user has this password", like);
  if (!dummy) return dummy.error();
  out->dummy_hash_ = std::move(dummy.value());
  return out;
}

void Authenticator::audit(std::string action, std::string actor, std::string outcome,
                          std::string address, std::string reason) {
  engine::AuditRecord record;
  record.action = std::move(action);
  record.actor = std::move(actor);
  record.outcome = std::move(outcome);
  record.details["address"] = std::move(address);
  if (!reason.empty()) record.details["reason"] = std::move(reason);
  audit_.record(std::move(record));
}

Result<LoginGranted> Authenticator::login(const std::string& user, const std::string& password,
                                          const std::string& address) {
  if (user.empty() || user.size() > kMaxUserNameBytes || password.size() > kMaxPasswordBytes) {
    return makeError(ErrorCode::InvalidInput, "user must be 1-256 bytes, password at most 1024");
  }
  if (auto locked = throttle_.lockedFor(user, address)) {
    log::warn("login_throttled", {{"user", user}, {"peer", address}});
    audit("login.failed", user, "refused", address, "throttled");
    return makeError(ErrorCode::ResourceExhausted,
                     "too many failed log-ins; try again in " + std::to_string(locked->count()) +
                         " s");
  }
  const config::UserConfig* account = config_->security.findUser(user);
  auto verified = adapters::tls::verifyPassword(password, account ? account->password_hash
                                                                   : dummy_hash_);
  if (!verified) return verified.error();  // hashes were checked at start: a bug if reached
  if (!account || !verified.value()) {
    throttle_.recordFailure(user, address);
    log::warn("login_failed", {{"user", user}, {"peer", address}});
    audit("login.failed", user, "failure", address, account ? "wrong password" : "unknown user");
    return rejected("wrong user or password");
  }
  throttle_.recordSuccess(user);
  auto token = adapters::tls::randomToken();
  if (!token) return token.error();
  engine::auth::Session session{user, clock_.utcNow(),
                                clock_.utcNow() + config_->security.session_ttl};
  {
    std::lock_guard lock(sessions_mutex_);
    if (auto created = sessions_->create(adapters::tls::sha256Hex(token.value()), session);
        !created) {
      return created.error();
    }
  }
  log::info("login", {{"user", user}, {"peer", address}});
  audit("login", user, "success", address);
  return LoginGranted{std::move(token.value()), session.expires_at, principalOf(*account)};
}

Result<void> Authenticator::logout(const std::string& token, const std::string& user) {
  std::lock_guard lock(sessions_mutex_);
  auto revoked = sessions_->revoke(adapters::tls::sha256Hex(token));
  if (!revoked) return revoked;
  log::info("logout", {{"user", user}});
  audit("logout", user, "success", {});
  return okResult();
}

std::optional<Principal> Authenticator::fromApiToken(const std::string& token) const {
  const std::string digest = adapters::tls::sha256Hex(token);
  for (const config::ApiTokenConfig& configured : config_->security.api_tokens) {
    if (adapters::tls::constantTimeEquals(digest, configured.token_sha256)) {
      return principalOf(configured);
    }
  }
  return std::nullopt;
}

Result<Principal> Authenticator::fromSession(const std::string& token) {
  Result<std::optional<engine::auth::Session>> found = [&] {
    std::lock_guard lock(sessions_mutex_);
    return sessions_->find(adapters::tls::sha256Hex(token));
  }();
  if (!found) return found.error();
  if (!found.value() || found.value()->expires_at <= clock_.utcNow()) {
    return rejected("unknown or expired session");
  }
  // Roles come from the configuration as it is now: a user removed or changed takes effect
  // on their next request, not at the end of their session.
  const config::UserConfig* account = config_->security.findUser(found.value()->user);
  if (!account) return rejected("the session's user no longer exists");
  return principalOf(*account);
}

Result<Principal> Authenticator::fromJwt(const std::string& token) {
  if (!jwt_) return rejected("no OpenID Connect issuer is configured");
  auto verified = jwt_->verify(token, clock_.utcNow());
  if (!verified) return verified.error();
  Principal principal;
  principal.user = "oidc:" + verified->user;
  for (const std::string& claimed : verified->roles) {
    const auto& map = config_->security.oidc.role_map;
    std::string role = claimed;
    if (auto it = map.find(claimed); it != map.end()) role = it->second;
    if (!engine::auth::roleFromName(role)) continue;
    if (std::find(principal.roles.begin(), principal.roles.end(), role) == principal.roles.end()) {
      principal.roles.push_back(role);
    }
  }
  if (principal.roles.empty()) return rejected("the JWT maps to no Sundial role");
  principal.sites = std::move(verified->sites);
  principal.reader_id = std::move(verified->reader_id);
  return principal;
}

Result<Principal> Authenticator::authenticate(const Request& request) {
  const std::string token = bearerToken(request);
  if (token.empty()) return makeError(ErrorCode::NotFound, "no credentials");
  if (auto principal = fromApiToken(token)) return *principal;
  if (adapters::tls::looksLikeJwt(token)) return fromJwt(token);
  return fromSession(token);
}

bool Authenticator::scraperAllowed(const Request& request) const {
  const config::MetricsAccessConfig& metrics = config_->security.metrics;
  for (const std::string& pattern : metrics.allow_addresses) {
    if (config::addressMatches(pattern, request.peer_address)) return true;
  }
  if (metrics.token_sha256.empty()) return false;
  const std::string token = bearerToken(request);
  return !token.empty() &&
         adapters::tls::constantTimeEquals(adapters::tls::sha256Hex(token), metrics.token_sha256);
}

}  // namespace sundial::app
