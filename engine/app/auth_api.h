#pragma once
// The log-in endpoints: POST /api/v1/login, POST /api/v1/logout, GET /api/v1/me
// (who may call each: engine/auth/access_policy.cpp). Handlers run on the io threads.

#include "adapters/http/http_server.h"
#include "engine/app/authenticator.h"

namespace sundial::app {

class AuthApi {
 public:
  // `secure_cookies`: mark the session cookie Secure (the API is served over HTTPS).
  AuthApi(Authenticator& authenticator, bool secure_cookies);
  void install(adapters::http::HttpServer& server);

  // The handlers, public for the server's routes and for the HTTP fuzz target, which routes
  // them without a socket.
  adapters::http::Response login(const adapters::http::Request& request);
  adapters::http::Response logout(const adapters::http::Request& request);
  adapters::http::Response me(const adapters::http::Request& request);

 private:
  Authenticator& authenticator_;
  bool secure_cookies_;
};

}  // namespace sundial::app
