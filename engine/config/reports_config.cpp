#include "engine/config/sections.h"

namespace sundial::config::detail {

void readReportsSection(Reader& r, const YAML::Node& n, ReportsConfig& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "reports";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"max_attempts", "initial_backoff_ms", "max_backoff_ms", "ack_timeout_ms"});
  r.read(n, "max_attempts", out.max_attempts, where);
  if (out.max_attempts < 1) r.problem(n["max_attempts"], "reports.max_attempts must be at least 1");
  r.readMs(n, "initial_backoff_ms", out.initial_backoff, where, 10);
  r.readMs(n, "max_backoff_ms", out.max_backoff, where, 10);
  r.readMs(n, "ack_timeout_ms", out.ack_timeout, where, 100);
}

void readSiteReports(Reader& r, const YAML::Node& n, SiteReportsConfig& out,
                     const std::string& where_site) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = where_site + ".reports";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"host", "port"});
  r.readString(n, "host", out.host, where);
  if (out.host.empty()) r.problem(n, where + " needs a host (the site's HL7 endpoint)");
  out.port = 2575;
  r.readPort(n, "port", out.port, where);
}

}  // namespace sundial::config::detail
