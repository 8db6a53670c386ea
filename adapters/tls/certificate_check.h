#pragma once
// Checks a certificate and its key before a listener or client uses them, so that start-up
// (or a reload) fails with a clear message: a missing or unreadable file, a file that is not
// PEM, a certificate not yet valid or expired, a key that does not belong to the
// certificate. Safe from any thread.

#include <filesystem>
#include <string>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::adapters::tls {

struct CertificateInfo {
  std::string subject;      // one line, e.g. "CN=sundial.example"
  std::string common_name;  // the subject's CN, empty if none
  UtcTime not_before{};
  UtcTime not_after{};
};

// InvalidInput naming the file and the problem. `ca_file`, when not empty, must hold at least
// one certificate.
Result<CertificateInfo> checkCertificateFiles(const std::filesystem::path& certificate,
                                              const std::filesystem::path& private_key,
                                              const std::filesystem::path& ca_file, UtcTime now);

}  // namespace sundial::adapters::tls
