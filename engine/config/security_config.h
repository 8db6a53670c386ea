#pragma once
// Users, roles, tokens, TLS and per-site limits (top-level `security:`; site `security:`).
// Loaded by security_config.cpp. Secrets appear here only as hashes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sundial::config {

// The role names, defined once (see engine/auth/access_policy.h for what each may do).
inline constexpr const char* kRoleNames[] = {"admin",       "rule_admin", "dispatcher",
                                             "reader",      "site_viewer", "auditor"};

// A local account. password_hash is "$scrypt$..." (`sundial users hash-password`).
struct UserConfig {
  std::string name;
  std::string password_hash;
  std::vector<std::string> roles;
  std::vector<std::string> sites;  // site_viewer: the sites they see
  std::string reader;              // reader: their id in `readers`
  int config_line = 0;
};

// A machine client (a RIS bridge, a monitoring job): the SHA-256 (hex) of its bearer token.
struct ApiTokenConfig {
  std::string name;
  std::string token_sha256;
  std::vector<std::string> roles;
  std::vector<std::string> sites;
  std::string reader;
  int config_line = 0;
};

// Bearer JWTs from an OpenID Connect issuer, checked against its keys (a JWKS file).
struct OidcConfig {
  bool enabled = false;
  std::string issuer;
  std::string audience;
  std::filesystem::path jwks_file;  // absolute after loading
  std::string user_claim = "sub";
  std::string role_claim = "roles";
  std::string site_claim = "sundial_sites";
  std::string reader_claim = "sundial_reader";
  // Issuer role/group name -> Sundial role; names not listed are taken as Sundial role
  // names when they are one, otherwise ignored.
  std::map<std::string, std::string> role_map;
  std::chrono::seconds leeway{60};
};

struct LoginThrottleConfig {
  int max_failures = 5;                 // failures within the window before a lockout
  std::chrono::seconds window{300};
  std::chrono::seconds lockout{300};
};

// Who may read /metrics without logging in.
struct MetricsAccessConfig {
  std::vector<std::string> allow_addresses = {"127.0.0.1", "::1"};  // IPs or CIDR blocks
  std::string token_sha256;  // or a bearer token with this SHA-256 (hex)
};

// A certificate, its key, and (for mutual TLS) the CAs whose client certificates we accept.
struct TlsFilesConfig {
  std::filesystem::path certificate;  // PEM, leaf first (absolute after loading)
  std::filesystem::path private_key;  // PEM
  std::filesystem::path ca_file;      // PEM bundle; empty: no client certificates asked
  bool enabled() const { return !certificate.empty(); }
};

struct SecurityConfig {
  std::vector<UserConfig> users;
  std::vector<ApiTokenConfig> api_tokens;
  OidcConfig oidc;
  std::chrono::seconds session_ttl{8 * 3600};
  LoginThrottleConfig login_throttle;
  MetricsAccessConfig metrics;
  TlsFilesConfig https;       // the API and the page
  bool secure_cookies = false;  // true when https is on (set by the loader)
  TlsFilesConfig dicom_tls;   // the DICOM TLS listener and the client side of forwarding
  std::uint16_t dicom_tls_port = 0;  // 0: no TLS listener
  std::vector<std::string> tls_destinations;  // destinations reached over DICOM TLS
  TlsFilesConfig mllp_tls;

  const UserConfig* findUser(const std::string& name) const;
};

// Per site: what its client certificate must say (mutual TLS) and how much it may use.
struct SiteSecurityConfig {
  // DICOM over TLS: when set, associations from this site must come over TLS with a client
  // certificate whose subject CN is one of these.
  std::vector<std::string> certificate_names;
  bool require_tls = false;
  int max_associations = 0;                // 0: no per-site limit
  std::uint64_t max_bytes_per_minute = 0;  // 0: no limit
};

}  // namespace sundial::config
