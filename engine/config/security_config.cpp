#include <algorithm>
#include <set>

#include "engine/config/sections.h"

// The `security:` section (users, API tokens, OpenID Connect, sessions, login throttling,
// /metrics access, TLS files) and each site's `security:` (mutual TLS names, limits).
// Only the shape is checked here: password hashes and certificates are opened at start-up
// by the components that use them, which name the file and the problem.
namespace sundial::config::detail {
namespace {

bool isRole(const std::string& role) {
  return std::any_of(std::begin(kRoleNames), std::end(kRoleNames),
                     [&](const char* known) { return role == known; });
}

bool isSha256Hex(const std::string& text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::filesystem::path absolute(const std::string& file, const std::filesystem::path& dir) {
  if (file.empty()) return {};
  std::filesystem::path p(file);
  return p.is_absolute() ? p : (dir / p).lexically_normal();
}

std::vector<std::string> readRoles(Reader& r, const YAML::Node& n, const std::string& where) {
  std::vector<std::string> roles = r.readStringList(n, "roles", where);
  if (roles.empty()) r.problem(n, where + " needs at least one role");
  for (const auto& role : roles) {
    if (!isRole(role)) {
      r.problem(n["roles"], where + ": unknown role '" + role +
                                "' (admin, rule_admin, dispatcher, reader, site_viewer, auditor)");
    }
  }
  return roles;
}

void readUsers(Reader& r, const YAML::Node& n, std::vector<UserConfig>& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) return r.problem(n, "security.users must be a list");
  std::set<std::string> names;
  for (const auto& u : n) {
    if (!r.isMap(u, "each security.users entry")) continue;
    UserConfig user;
    user.config_line = static_cast<int>(u.Mark().line) + 1;
    r.checkKeys(u, "security.users entry", {"name", "password_hash", "roles", "sites", "reader"});
    r.readString(u, "name", user.name, "security.users");
    const std::string where = "security.users '" + user.name + "'";
    if (!isValidName(user.name)) {
      r.problem(u, "security.users: a user needs a name of 1-64 letters, digits, '_', '-', '.'");
    } else if (!names.insert(user.name).second) {
      r.problem(u["name"], "security.users: user '" + user.name + "' is listed twice");
    }
    r.readString(u, "password_hash", user.password_hash, where);
    if (!user.password_hash.starts_with("$scrypt$")) {
      r.problem(u, where + ".password_hash must be a $scrypt$ hash "
                           "(make one with `sundial users hash-password`)");
    }
    user.roles = readRoles(r, u, where);
    user.sites = r.readStringList(u, "sites", where);
    r.readString(u, "reader", user.reader, where);
    out.push_back(std::move(user));
  }
}

void readApiTokens(Reader& r, const YAML::Node& n, std::vector<ApiTokenConfig>& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) return r.problem(n, "security.api_tokens must be a list");
  std::set<std::string> names;
  for (const auto& t : n) {
    if (!r.isMap(t, "each security.api_tokens entry")) continue;
    ApiTokenConfig token;
    token.config_line = static_cast<int>(t.Mark().line) + 1;
    r.checkKeys(t, "security.api_tokens entry", {"name", "token_sha256", "roles", "sites", "reader"});
    r.readString(t, "name", token.name, "security.api_tokens");
    const std::string where = "security.api_tokens '" + token.name + "'";
    if (!isValidName(token.name)) {
      r.problem(t, "security.api_tokens: a token needs a name of 1-64 letters, digits, '_', '-', '.'");
    } else if (!names.insert(token.name).second) {
      r.problem(t["name"], "security.api_tokens: token '" + token.name + "' is listed twice");
    }
    r.readString(t, "token_sha256", token.token_sha256, where);
    if (!isSha256Hex(token.token_sha256)) {
      r.problem(t, where + ".token_sha256 must be 64 lower-case hex digits "
                           "(sha256sum of the token)");
    }
    token.roles = readRoles(r, t, where);
    token.sites = r.readStringList(t, "sites", where);
    r.readString(t, "reader", token.reader, where);
    out.push_back(std::move(token));
  }
}

void readOidc(Reader& r, const YAML::Node& n, OidcConfig& out, const std::filesystem::path& dir) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "security.oidc";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"issuer", "audience", "jwks_file", "user_claim", "role_claim",
                         "site_claim", "reader_claim", "role_map", "leeway_s"});
  out.enabled = true;
  r.readString(n, "issuer", out.issuer, where);
  r.readString(n, "audience", out.audience, where);
  std::string jwks;
  r.readString(n, "jwks_file", jwks, where);
  out.jwks_file = absolute(jwks, dir);
  if (out.issuer.empty()) r.problem(n, where + ".issuer is required");
  if (out.audience.empty()) r.problem(n, where + ".audience is required");
  if (jwks.empty()) r.problem(n, where + ".jwks_file is required");
  r.readString(n, "user_claim", out.user_claim, where);
  r.readString(n, "role_claim", out.role_claim, where);
  r.readString(n, "site_claim", out.site_claim, where);
  r.readString(n, "reader_claim", out.reader_claim, where);
  long long leeway = out.leeway.count();
  r.read(n, "leeway_s", leeway, where);
  if (leeway < 0 || leeway > 600) r.problem(n["leeway_s"], where + ".leeway_s must be 0-600");
  out.leeway = std::chrono::seconds(leeway);
  YAML::Node map = n["role_map"];
  if (map.IsDefined() && !map.IsNull()) {
    if (!map.IsMap()) return r.problem(map, where + ".role_map must map issuer roles to roles");
    for (const auto& entry : map) {
      std::string role = entry.second.IsScalar() ? entry.second.Scalar() : "";
      if (!isRole(role)) {
        r.problem(entry.second, where + ".role_map: '" + role + "' is not a Sundial role");
        continue;
      }
      out.role_map[entry.first.Scalar()] = role;
    }
  }
}

void readThrottle(Reader& r, const YAML::Node& n, LoginThrottleConfig& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "security.login_throttle";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"max_failures", "window_s", "lockout_s"});
  r.read(n, "max_failures", out.max_failures, where);
  if (out.max_failures < 1) r.problem(n["max_failures"], where + ".max_failures must be at least 1");
  long long window = out.window.count(), lockout = out.lockout.count();
  r.read(n, "window_s", window, where);
  r.read(n, "lockout_s", lockout, where);
  if (window < 1) r.problem(n["window_s"], where + ".window_s must be at least 1");
  if (lockout < 1) r.problem(n["lockout_s"], where + ".lockout_s must be at least 1");
  out.window = std::chrono::seconds(window);
  out.lockout = std::chrono::seconds(lockout);
}

void readMetrics(Reader& r, const YAML::Node& n, MetricsAccessConfig& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "security.metrics";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"allow_addresses", "token_sha256"});
  if (n["allow_addresses"].IsDefined()) out.allow_addresses = r.readStringList(n, "allow_addresses", where);
  for (const auto& pattern : out.allow_addresses) {
    if (!isValidAddressPattern(pattern)) {
      r.problem(n["allow_addresses"], where + ".allow_addresses: '" + pattern +
                                          "' is not an IP address or CIDR block");
    }
  }
  r.readString(n, "token_sha256", out.token_sha256, where);
  if (!out.token_sha256.empty() && !isSha256Hex(out.token_sha256)) {
    r.problem(n["token_sha256"], where + ".token_sha256 must be 64 lower-case hex digits");
  }
}

void readTlsFiles(Reader& r, const YAML::Node& n, TlsFilesConfig& out, const std::string& where,
                  const std::filesystem::path& dir) {
  std::string certificate, key, ca;
  r.readString(n, "certificate", certificate, where);
  r.readString(n, "private_key", key, where);
  r.readString(n, "ca_file", ca, where);
  if (certificate.empty() != key.empty()) {
    r.problem(n, where + " needs both certificate and private_key");
  }
  out.certificate = absolute(certificate, dir);
  out.private_key = absolute(key, dir);
  out.ca_file = absolute(ca, dir);
}

}  // namespace

void readSecuritySection(Reader& r, const YAML::Node& n, SecurityConfig& out,
                         const std::filesystem::path& config_dir) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "security";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"users", "api_tokens", "oidc", "session_ttl_s", "login_throttle",
                         "metrics", "https", "dicom_tls", "mllp_tls"});
  readUsers(r, n["users"], out.users);
  readApiTokens(r, n["api_tokens"], out.api_tokens);
  readOidc(r, n["oidc"], out.oidc, config_dir);
  long long ttl = out.session_ttl.count();
  r.read(n, "session_ttl_s", ttl, where);
  if (ttl < 60 || ttl > 7 * 24 * 3600) {
    r.problem(n["session_ttl_s"], "security.session_ttl_s must be 60-604800");
  } else {
    out.session_ttl = std::chrono::seconds(ttl);
  }
  readThrottle(r, n["login_throttle"], out.login_throttle);
  readMetrics(r, n["metrics"], out.metrics);
  if (YAML::Node https = n["https"]; https.IsDefined() && !https.IsNull() &&
                                     r.isMap(https, "security.https")) {
    r.checkKeys(https, "security.https", {"certificate", "private_key", "ca_file"});
    readTlsFiles(r, https, out.https, "security.https", config_dir);
    out.secure_cookies = out.https.enabled();
  }
  if (YAML::Node dicom = n["dicom_tls"]; dicom.IsDefined() && !dicom.IsNull() &&
                                         r.isMap(dicom, "security.dicom_tls")) {
    r.checkKeys(dicom, "security.dicom_tls",
                {"certificate", "private_key", "ca_file", "port", "destinations"});
    readTlsFiles(r, dicom, out.dicom_tls, "security.dicom_tls", config_dir);
    if (dicom["port"].IsDefined()) r.readPort(dicom, "port", out.dicom_tls_port, "security.dicom_tls");
    out.tls_destinations = r.readStringList(dicom, "destinations", "security.dicom_tls");
    if (!out.dicom_tls.enabled()) r.problem(dicom, "security.dicom_tls needs a certificate");
  }
  if (YAML::Node mllp = n["mllp_tls"]; mllp.IsDefined() && !mllp.IsNull() &&
                                       r.isMap(mllp, "security.mllp_tls")) {
    r.checkKeys(mllp, "security.mllp_tls", {"certificate", "private_key", "ca_file"});
    readTlsFiles(r, mllp, out.mllp_tls, "security.mllp_tls", config_dir);
  }
}

void readSiteSecurity(Reader& r, const YAML::Node& n, SiteSecurityConfig& out,
                      const std::string& where_site) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = where_site + ".security";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"certificate_names", "require_tls", "max_associations",
                         "max_bytes_per_minute"});
  out.certificate_names = r.readStringList(n, "certificate_names", where);
  r.read(n, "require_tls", out.require_tls, where);
  if (!out.certificate_names.empty()) out.require_tls = true;
  r.read(n, "max_associations", out.max_associations, where);
  if (out.max_associations < 0) r.problem(n["max_associations"], where + ".max_associations must be 0 or more");
  long long bytes = static_cast<long long>(out.max_bytes_per_minute);
  r.read(n, "max_bytes_per_minute", bytes, where);
  if (bytes < 0) {
    r.problem(n["max_bytes_per_minute"], where + ".max_bytes_per_minute must be 0 or more");
  } else {
    out.max_bytes_per_minute = static_cast<std::uint64_t>(bytes);
  }
}

void checkSecurityReferences(Reader& r, const YAML::Node& root, const Config& config) {
  const YAML::Node security = root["security"];
  auto check = [&](const std::string& what, const std::vector<std::string>& roles,
                   const std::vector<std::string>& sites, const std::string& reader,
                   const YAML::Node& node) {
    for (const auto& site : sites) {
      if (!config.findSite(site)) r.problem(node, what + ": unknown site '" + site + "'");
    }
    bool is_site_viewer = std::find(roles.begin(), roles.end(), "site_viewer") != roles.end();
    bool is_reader = std::find(roles.begin(), roles.end(), "reader") != roles.end();
    if (is_site_viewer && sites.empty()) r.problem(node, what + ": a site_viewer needs sites");
    if (is_reader && reader.empty()) r.problem(node, what + ": a reader needs a reader id");
    // The roster is checked when it is configured (the readers section may be empty).
    if (!reader.empty() && !config.readers.empty() &&
        std::none_of(config.readers.begin(), config.readers.end(),
                     [&](const ReaderConfig& rc) { return rc.id == reader; })) {
      r.problem(node, what + ": unknown reader '" + reader + "'");
    }
  };
  std::size_t i = 0;
  for (const auto& user : config.security.users) {
    check("security.users '" + user.name + "'", user.roles, user.sites, user.reader,
          security["users"][i++]);
  }
  i = 0;
  for (const auto& token : config.security.api_tokens) {
    check("security.api_tokens '" + token.name + "'", token.roles, token.sites, token.reader,
          security["api_tokens"][i++]);
  }
  for (const auto& destination : config.security.tls_destinations) {
    if (!config.findDestination(destination)) {
      r.problem(security["dicom_tls"], "security.dicom_tls.destinations: unknown destination '" +
                                           destination + "'");
    }
  }
  bool any_tls_site = std::any_of(config.sites.begin(), config.sites.end(), [](const SiteConfig& s) {
    return s.security.require_tls;
  });
  if (any_tls_site && (!config.security.dicom_tls.enabled() || config.security.dicom_tls_port == 0)) {
    r.problem(security, "a site requires DICOM over TLS but security.dicom_tls has no "
                        "certificate or port");
  }
}

}  // namespace sundial::config::detail

namespace sundial::config {

const UserConfig* SecurityConfig::findUser(const std::string& name) const {
  for (const auto& user : users) {
    if (user.name == name) return &user;
  }
  return nullptr;
}

}  // namespace sundial::config
