#include "engine/app/auth_gate.h"

#include "engine/domain/log.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using engine::auth::Access;

Response unauthorized(std::string_view message) {
  Response response = jsonError(401, message);
  // RFC 6750 §3: tell the client which scheme to use.
  response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"sundial\"");
  return response;
}

}  // namespace

adapters::http::Gate makeAuthGate(Authenticator& authenticator,
                                  const engine::auth::AccessPolicy& policy) {
  return [&authenticator, &policy](Request& request) -> std::optional<Response> {
    const engine::auth::AccessRule* rule = policy.find(request.method, request.path);
    if (!rule) {
      if (!engine::auth::isApiPath(request.path)) {
        // Outside the API only the page's files are served: reading is open, nothing else.
        if (engine::auth::methodClassOf(request.method) == engine::auth::MethodClass::Read) {
          return std::nullopt;
        }
        return jsonError(403, "not allowed");
      }
      log::warn("access_policy_no_rule", {{"method", request.method},
                                          {"path", log::identifying(request.path)},
                                          {"peer", request.peer_address}});
      return jsonError(403, "no access rule for this route");
    }
    switch (rule->access) {
      case Access::Public:
        return std::nullopt;
      case Access::Scraper:
        if (authenticator.scraperAllowed(request)) return std::nullopt;
        log::warn("metrics_refused", {{"peer", request.peer_address}});
        return unauthorized("metrics need a scraper address or token");
      case Access::Authenticated:
      case Access::Roles:
        break;
    }
    auto principal = authenticator.authenticate(request);
    if (!principal) {
      const Error& error = principal.error();
      if (error.code == ErrorCode::Unavailable) {
        log::warn("auth_store_unavailable", {{"reason", error.describe()}});
        return jsonError(503, "cannot check the session now");
      }
      if (error.code == ErrorCode::NotFound) return unauthorized("log in first");
      log::warn("auth_refused", {{"peer", request.peer_address}, {"reason", error.message}});
      return unauthorized("invalid or expired credentials");
    }
    if (!engine::auth::AccessPolicy::allows(*rule, principal->roles)) {
      log::warn("access_denied", {{"user", principal->user},
                                  {"method", request.method},
                                  {"rule", rule->pattern},
                                  {"peer", request.peer_address}});
      return jsonError(403, "your role may not do this");
    }
    request.principal = std::move(principal.value());
    return std::nullopt;
  };
}

}  // namespace sundial::app
