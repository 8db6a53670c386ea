#pragma once
// TLS, users, roles and tokens (top-level `security:`; site `security:`).
// Loaded by security_config.cpp.

namespace sundial::config {

struct SecurityConfig {};

struct SiteSecurityConfig {};

}  // namespace sundial::config
