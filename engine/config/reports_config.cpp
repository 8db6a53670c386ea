#include "engine/config/sections.h"

namespace sundial::config::detail {
namespace {

// MSH-3/MSH-4 values: not empty, and no HL7 delimiter (they would be escaped, and a site
// matching on them would not recognise us).
void readHl7Name(Reader& r, const YAML::Node& n, const char* key, std::string& out,
                 const std::string& where) {
  r.readString(n, key, out, where);
  if (out.empty() || out.find_first_of("|^~\\&") != std::string::npos) {
    r.problem(n[key], where + "." + key + " must be a name without HL7 delimiters (|^~\\&)");
  }
}

}  // namespace

void readReportsSection(Reader& r, const YAML::Node& n, ReportsConfig& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "reports";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where,
              {"max_attempts", "initial_backoff_ms", "max_backoff_ms", "ack_timeout_ms",
               "connect_timeout_ms", "idle_connection_timeout_ms", "sending_application",
               "sending_facility", "delivered_retention_hours"});
  r.read(n, "max_attempts", out.max_attempts, where);
  if (out.max_attempts < 1) r.problem(n["max_attempts"], "reports.max_attempts must be at least 1");
  r.readMs(n, "initial_backoff_ms", out.initial_backoff, where, 10);
  r.readMs(n, "max_backoff_ms", out.max_backoff, where, 10);
  r.readMs(n, "ack_timeout_ms", out.ack_timeout, where, 100);
  r.readMs(n, "connect_timeout_ms", out.connect_timeout, where, 100);
  r.readMs(n, "idle_connection_timeout_ms", out.idle_connection_timeout, where, 100);
  if (out.max_backoff < out.initial_backoff) {
    r.problem(n["max_backoff_ms"], "reports.max_backoff_ms must not be below initial_backoff_ms");
  }
  readHl7Name(r, n, "sending_application", out.sending_application, where);
  readHl7Name(r, n, "sending_facility", out.sending_facility, where);
  long long retention_hours = out.delivered_retention.count();
  r.read(n, "delivered_retention_hours", retention_hours, where);
  if (retention_hours < 1) {
    r.problem(n["delivered_retention_hours"], "reports.delivered_retention_hours must be at least 1");
  } else {
    out.delivered_retention = std::chrono::hours(retention_hours);
  }
}

void readSiteReports(Reader& r, const YAML::Node& n, SiteReportsConfig& out,
                     const std::string& where_site) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = where_site + ".reports";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"host", "port", "tls", "ca", "server_name", "certificate", "private_key"});
  r.readString(n, "host", out.host, where);
  if (out.host.empty()) r.problem(n, where + " needs a host (the site's HL7 endpoint)");
  out.port = 2575;
  r.readPort(n, "port", out.port, where);
  r.read(n, "tls", out.tls, where);
  std::string ca, certificate, key;
  r.readString(n, "ca", ca, where);
  r.readString(n, "server_name", out.server_name, where);
  r.readString(n, "certificate", certificate, where);
  r.readString(n, "private_key", key, where);
  out.ca_file = ca;
  out.certificate = certificate;
  out.private_key = key;
  if (out.tls && ca.empty()) {
    r.problem(n, where + ".tls needs ca (the CA file the site's certificate must chain to)");
  }
  if (!out.tls && (!ca.empty() || !certificate.empty() || !key.empty() || !out.server_name.empty())) {
    r.problem(n, where + ": ca, server_name, certificate and private_key need tls: true");
  }
  if (certificate.empty() != key.empty()) {
    r.problem(n, where + " needs both certificate and private_key");
  }
}

}  // namespace sundial::config::detail
