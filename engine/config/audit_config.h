#pragma once
// The audit trail (top-level `audit:`). Loaded by audit_config.cpp.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace sundial::config {

// The audit repository that receives the trail as DICOM PS3.15 audit messages over syslog
// (RFC 5424) on TLS (RFC 5425). Off when `host` is empty.
struct AuditExportConfig {
  std::string host;
  std::uint16_t port = 6514;                 // the RFC 5425 port
  std::filesystem::path ca_file;             // trusted CA(s) for the repository's certificate
  std::filesystem::path client_cert_file;    // optional: mutual TLS
  std::filesystem::path client_key_file;
  std::string server_name;                   // checked against the certificate; empty: host
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  std::string enterprise_site_id;            // AuditEnterpriseSiteID; empty: the node's name

  bool enabled() const { return !host.empty(); }
};

struct AuditConfig {
  std::filesystem::path folder;              // empty: <data_dir>/audit; relative: to data_dir
  std::uint64_t max_file_bytes = 64ull << 20;
  bool fsync = true;                         // fdatasync each written batch
  std::chrono::milliseconds anchor_interval{5000};
  std::filesystem::path anchor_key_file;     // empty: <folder>/anchor.key (made on first start)
  AuditExportConfig export_to;
};

// The trail's folder for a node whose data folder is `data_dir`.
inline std::filesystem::path auditFolder(const AuditConfig& audit,
                                         const std::filesystem::path& data_dir) {
  if (audit.folder.empty()) return data_dir / "audit";
  if (audit.folder.is_absolute()) return audit.folder;
  return (data_dir / audit.folder).lexically_normal();
}

inline std::filesystem::path auditKeyFile(const AuditConfig& audit,
                                          const std::filesystem::path& data_dir) {
  if (!audit.anchor_key_file.empty()) return audit.anchor_key_file;
  return auditFolder(audit, data_dir) / "anchor.key";
}

}  // namespace sundial::config
