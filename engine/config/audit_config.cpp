#include "engine/config/sections.h"

namespace sundial::config::detail {
namespace {

std::filesystem::path underConfigDir(const std::string& value,
                                     const std::filesystem::path& config_dir) {
  std::filesystem::path path(value);
  if (path.empty() || path.is_absolute()) return path;
  return (config_dir / path).lexically_normal();
}

void readExport(Reader& r, const YAML::Node& n, AuditExportConfig& out,
                const std::filesystem::path& config_dir) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "audit.export";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where,
              {"host", "port", "ca_file", "client_cert_file", "client_key_file", "server_name",
               "initial_backoff_ms", "max_backoff_ms", "enterprise_site_id"});
  r.readString(n, "host", out.host, where);
  r.readPort(n, "port", out.port, where);
  std::string ca, cert, key;
  r.readString(n, "ca_file", ca, where);
  r.readString(n, "client_cert_file", cert, where);
  r.readString(n, "client_key_file", key, where);
  out.ca_file = underConfigDir(ca, config_dir);
  out.client_cert_file = underConfigDir(cert, config_dir);
  out.client_key_file = underConfigDir(key, config_dir);
  r.readString(n, "server_name", out.server_name, where);
  r.readMs(n, "initial_backoff_ms", out.initial_backoff, where, 10);
  r.readMs(n, "max_backoff_ms", out.max_backoff, where, 10);
  r.readString(n, "enterprise_site_id", out.enterprise_site_id, where);
  if (out.host.empty()) {
    r.problem(n, "audit.export.host is required (the audit repository's address)");
    return;
  }
  // TLS is not optional here: the messages name patients.
  if (out.ca_file.empty()) {
    r.problem(n, "audit.export.ca_file is required (the CA that signed the repository's certificate)");
  }
  if (out.client_cert_file.empty() != out.client_key_file.empty()) {
    r.problem(n, "audit.export: client_cert_file and client_key_file go together");
  }
  for (const auto* file : {&out.ca_file, &out.client_cert_file, &out.client_key_file}) {
    std::error_code ec;
    if (!file->empty() && !std::filesystem::is_regular_file(*file, ec)) {
      r.problem(n, "audit.export: " + file->string() + " is not a readable file");
    }
  }
  if (out.max_backoff < out.initial_backoff) {
    r.problem(n["max_backoff_ms"], "audit.export.max_backoff_ms must be at least initial_backoff_ms");
  }
}

}  // namespace

void readAuditSection(Reader& r, const YAML::Node& n, AuditConfig& out,
                      const std::filesystem::path& config_dir) {
  if (!n.IsDefined() || n.IsNull()) return;
  const std::string where = "audit";
  if (!r.isMap(n, where)) return;
  r.checkKeys(n, where, {"folder", "max_file_mb", "fsync", "anchor_interval_ms",
                         "anchor_key_file", "export"});
  std::string folder;
  r.readString(n, "folder", folder, where);
  out.folder = folder;  // relative to node.data_dir: see auditFolder()
  long long max_mb = static_cast<long long>(out.max_file_bytes >> 20);
  r.read(n, "max_file_mb", max_mb, where);
  if (max_mb < 1 || max_mb > 4096) {
    r.problem(n["max_file_mb"], "audit.max_file_mb must be between 1 and 4096");
  } else {
    out.max_file_bytes = static_cast<std::uint64_t>(max_mb) << 20;
  }
  r.read(n, "fsync", out.fsync, where);
  r.readMs(n, "anchor_interval_ms", out.anchor_interval, where, 10);
  std::string key;
  r.readString(n, "anchor_key_file", key, where);
  out.anchor_key_file = underConfigDir(key, config_dir);
  readExport(r, n["export"], out.export_to, config_dir);
}

}  // namespace sundial::config::detail
