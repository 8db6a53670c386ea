#include "engine/config/sections.h"

namespace sundial::config::detail {
namespace {

// SLA durations are written in minutes: `stat_minutes: 30`.
std::optional<Milliseconds> readMinutes(Reader& r, const YAML::Node& n, const char* key,
                                        const std::string& where) {
  YAML::Node node = n[key];
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  double minutes = 0;
  r.read(n, key, minutes, where);
  if (minutes <= 0 || minutes > 60.0 * 24 * 366) {
    r.problem(node, where + "." + key + " must be more than 0 and at most a year of minutes");
    return std::nullopt;
  }
  return Milliseconds(static_cast<long long>(minutes * 60'000));
}

std::optional<double> readFraction(Reader& r, const YAML::Node& n, const std::string& where) {
  YAML::Node node = n["warn_at"];
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  double fraction = -1;
  r.read(n, "warn_at", fraction, where);
  if (fraction <= 0 || fraction >= 1) {
    r.problem(node, where + ".warn_at must be a fraction between 0 and 1 (e.g. 0.75)");
    return std::nullopt;
  }
  return fraction;
}

void readRvuMap(Reader& r, const YAML::Node& n, const char* key, std::map<std::string, double>& out,
                const std::string& where) {
  YAML::Node map = n[key];
  if (!map.IsDefined() || map.IsNull()) return;
  if (!r.isMap(map, where + "." + key)) return;
  for (const auto& entry : map) {
    double rvu = -1;
    try {
      rvu = entry.second.as<double>();
    } catch (const YAML::Exception&) {
    }
    if (rvu < 0 || rvu > 1000) {
      r.problem(entry.second, where + "." + key + "." + entry.first.Scalar() +
                                  " must be a number of RVUs between 0 and 1000");
      continue;
    }
    out[entry.first.Scalar()] = rvu;
  }
}

}  // namespace

void readWorklistSection(Reader& r, const YAML::Node& n, WorklistConfig& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "worklist";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"claim_lease_ms", "reader_offline_after_ms", "sla", "rvu", "webhook"});
  r.readMs(n, "claim_lease_ms", out.claim_lease, where, 10'000);
  r.readMs(n, "reader_offline_after_ms", out.reader_offline_after, where, 5'000);

  if (YAML::Node sla = n["sla"]; sla.IsDefined() && !sla.IsNull() && r.isMap(sla, where + ".sla")) {
    const std::string w = where + ".sla";
    r.checkKeys(sla, w, {"stat_minutes", "urgent_minutes", "routine_minutes", "warn_at"});
    if (auto v = readMinutes(r, sla, "stat_minutes", w)) out.sla.stat = *v;
    if (auto v = readMinutes(r, sla, "urgent_minutes", w)) out.sla.urgent = *v;
    if (auto v = readMinutes(r, sla, "routine_minutes", w)) out.sla.routine = *v;
    if (auto v = readFraction(r, sla, w)) out.sla.warn_at = *v;
  }
  if (YAML::Node rvu = n["rvu"]; rvu.IsDefined() && !rvu.IsNull() && r.isMap(rvu, where + ".rvu")) {
    const std::string w = where + ".rvu";
    r.checkKeys(rvu, w, {"default", "by_modality", "by_procedure"});
    r.read(rvu, "default", out.rvu.default_rvu, w);
    if (out.rvu.default_rvu < 0 || out.rvu.default_rvu > 1000) {
      r.problem(rvu["default"], w + ".default must be between 0 and 1000");
    }
    readRvuMap(r, rvu, "by_modality", out.rvu.by_modality, w);
    readRvuMap(r, rvu, "by_procedure", out.rvu.by_procedure, w);
  }
  if (YAML::Node hook = n["webhook"];
      hook.IsDefined() && !hook.IsNull() && r.isMap(hook, where + ".webhook")) {
    const std::string w = where + ".webhook";
    r.checkKeys(hook, w, {"url", "timeout_ms", "max_attempts"});
    r.readString(hook, "url", out.webhook.url, w);
    if (!out.webhook.url.empty() && out.webhook.url.rfind("http://", 0) != 0) {
      r.problem(hook["url"], w + ".url must start with http:// (plain HTTP to a local relay)");
    }
    r.readMs(hook, "timeout_ms", out.webhook.timeout, w, 100);
    r.read(hook, "max_attempts", out.webhook.max_attempts, w);
    if (out.webhook.max_attempts < 1 || out.webhook.max_attempts > 100) {
      r.problem(hook["max_attempts"], w + ".max_attempts must be between 1 and 100");
    }
  }
}

void readSiteSla(Reader& r, const YAML::Node& n, SiteSlaConfig& out, const std::string& where_site) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = where_site + ".sla";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"stat_minutes", "urgent_minutes", "routine_minutes", "warn_at"});
  out.stat = readMinutes(r, n, "stat_minutes", where);
  out.urgent = readMinutes(r, n, "urgent_minutes", where);
  out.routine = readMinutes(r, n, "routine_minutes", where);
  out.warn_at = readFraction(r, n, where);
}

void checkWorklistReferences(Reader&, const YAML::Node&, const Config&) {}

}  // namespace sundial::config::detail
