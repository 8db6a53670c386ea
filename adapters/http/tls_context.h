#pragma once
// The HTTPS server's TLS context, built from PEM files and replaced when they change (new
// connections get the new one; open ones keep theirs). Internal to adapters/http: only
// http_server.cpp and tls_context.cpp see it. Thread-safe.

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "adapters/http/http_server.h"
#include "engine/domain/result.h"

namespace boost::asio::ssl {
class context;
}

namespace sundial::adapters::http {

class TlsContextSource {
 public:
  // InvalidInput naming the file and the problem (missing, expired, key mismatch...).
  static Result<std::unique_ptr<TlsContextSource>> create(HttpTlsFiles files);

  // The context for a new connection; re-reads the files first when their modification
  // time changed (looked at once a second at most).
  std::shared_ptr<boost::asio::ssl::context> current();

  // Re-reads the files now; keeps the running context on failure.
  Result<void> reload();

 private:
  explicit TlsContextSource(HttpTlsFiles files) : files_(std::move(files)) {}
  struct Stamp {
    std::filesystem::file_time_type certificate{}, private_key{};
    bool operator==(const Stamp&) const = default;
  };
  Stamp stampNow() const;
  Result<void> reloadLocked();

  const HttpTlsFiles files_;
  std::mutex mutex_;  // guards everything below
  std::shared_ptr<boost::asio::ssl::context> context_;
  Stamp stamp_;
  std::chrono::steady_clock::time_point next_check_{};
};

}  // namespace sundial::adapters::http
