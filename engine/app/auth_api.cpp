#include "engine/app/auth_api.h"

#include <nlohmann/json.hpp>

#include "engine/app/api_json.h"
#include "engine/auth/access_policy.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Principal;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;

json principalJson(const Principal& principal) {
  return {{"user", principal.user},
          {"roles", principal.roles},
          {"sites", principal.sites},
          {"reader_id", principal.reader_id},
          {"may_see_patient_identity", engine::auth::maySeePatientIdentity(principal.roles)}};
}

}  // namespace

AuthApi::AuthApi(Authenticator& authenticator, bool secure_cookies)
    : authenticator_(authenticator), secure_cookies_(secure_cookies) {}

void AuthApi::install(adapters::http::HttpServer& server) {
  // Public: the credentials are in the body.
  server.route("POST", "/api/v1/login", [this](const Request& r) { return login(r); });
  // Any authenticated caller: ends their own session.
  server.route("POST", "/api/v1/logout", [this](const Request& r) { return logout(r); });
  // Any authenticated caller: who they are and what they may see.
  server.route("GET", "/api/v1/me", [this](const Request& r) { return me(r); });
}

Response AuthApi::login(const Request& request) {
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("user") || !body["user"].is_string() ||
      !body.contains("password") || !body["password"].is_string()) {
    return jsonError(400, "expected {\"user\": \"...\", \"password\": \"...\"}");
  }
  auto granted = authenticator_.login(body["user"].get<std::string>(),
                                      body["password"].get<std::string>(), request.peer_address);
  if (!granted) {
    switch (granted.error().code) {
      case ErrorCode::InvalidInput: return jsonError(400, granted.error().message);
      case ErrorCode::ResourceExhausted: return jsonError(429, granted.error().message);
      case ErrorCode::Rejected: return jsonError(401, granted.error().message);
      case ErrorCode::Unavailable:
      case ErrorCode::Timeout: return jsonError(503, "cannot log in now: the session store is down");
      default: return jsonError(500, "internal error");
    }
  }
  json out = principalJson(granted->principal);
  out["token"] = granted->token;
  out["expires_at_ms"] = toEpochMs(granted->expires_at);
  Response response = jsonResponse(200, out);
  // For the page: HttpOnly keeps the token from scripts; SameSite=Strict keeps other sites'
  // pages from riding on it.
  response.headers.emplace_back(
      "Set-Cookie", std::string(kSessionCookie) + "=" + granted->token +
                        "; Path=/; HttpOnly; SameSite=Strict" + (secure_cookies_ ? "; Secure" : ""));
  return response;
}

Response AuthApi::logout(const Request& request) {
  const std::string user = request.principal ? request.principal->user : "";
  auto revoked = authenticator_.logout(bearerToken(request), user);
  if (!revoked) return jsonError(503, "cannot log out now: the session store is down");
  Response response = jsonResponse(200, {{"logged_out", true}});
  response.headers.emplace_back("Set-Cookie", std::string(kSessionCookie) +
                                                  "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  return response;
}

Response AuthApi::me(const Request& request) {
  if (!request.principal) return jsonError(401, "log in first");
  return jsonResponse(200, principalJson(*request.principal));
}

}  // namespace sundial::app
