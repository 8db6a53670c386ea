#pragma once
// The HTTP server's gate: every request is checked against the access policy
// (engine/auth/access_policy.h) before its handler runs. Public paths pass; /metrics needs a
// scraper address or token; everything under /api/v1 needs valid credentials (401 without)
// holding a role the policy allows (403 otherwise); an /api/v1 path the policy does not know
// is refused (403) and logged, so a new route is never silently open.

#include "adapters/http/http_server.h"
#include "engine/app/authenticator.h"
#include "engine/auth/access_policy.h"

namespace sundial::app {

// `authenticator` and `policy` must outlive the server.
adapters::http::Gate makeAuthGate(Authenticator& authenticator,
                                  const engine::auth::AccessPolicy& policy);

}  // namespace sundial::app
