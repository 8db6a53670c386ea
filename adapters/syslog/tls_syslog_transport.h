#pragma once
// RFC 5425: syslog messages over TLS, octet-counted ("LEN SP MSG"), to the audit repository.
// TLS 1.2 or later; the repository's certificate must chain to the configured CA and name
// `server_name` (or the host; an IP address is checked against the certificate's IP SANs);
// a client certificate is presented when configured. One connection, kept open and
// reopened after a failure. Used by one thread (the exporter's).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/audit/audit_transport.h"

namespace sundial::adapters::syslog {

struct TlsSyslogOptions {
  std::string host;
  std::uint16_t port = 6514;
  std::filesystem::path ca_file;
  std::filesystem::path client_cert_file;  // optional
  std::filesystem::path client_key_file;
  std::string server_name;                 // empty: host
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds io_timeout{10000};
};

class TlsSyslogTransport final : public engine::audit::AuditTransport {
 public:
  explicit TlsSyslogTransport(TlsSyslogOptions options);
  ~TlsSyslogTransport() override;

  Result<void> send(std::string_view syslog_message) override;
  void close() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sundial::adapters::syslog
