#include "adapters/http/tls_context.h"

// Asio needs <utility> first with GCC 12 in C++20 mode (DEPENDENCIES.md §3.9).
// clang-format off
#include <utility>
// clang-format on

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>

#include "adapters/tls/certificate_check.h"
#include "engine/domain/log.h"

namespace sundial::adapters::http {
namespace {

namespace ssl = boost::asio::ssl;

constexpr std::chrono::seconds kCheckInterval{1};
// TLS 1.2 suites: ECDHE (forward secrecy) with AEAD only, as BCP 195 / Mozilla
// "intermediate" recommend. TLS 1.3 suites are all acceptable and left to OpenSSL.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Result<std::shared_ptr<ssl::context>> build(const HttpTlsFiles& files) {
  auto checked = tls::checkCertificateFiles(files.certificate, files.private_key, {},
                                            std::chrono::system_clock::now());
  if (!checked) return checked.error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cipher_list(native, kTls12Ciphers);
  boost::system::error_code ec;
  context->use_certificate_chain_file(files.certificate, ec);
  if (!ec) context->use_private_key_file(files.private_key, ssl::context::pem, ec);
  if (ec) {
    return makeError(ErrorCode::InvalidInput, "OpenSSL refused the certificate or key: " + ec.message(),
                     files.certificate);
  }
  log::info("https_certificate_loaded",
            {{"subject", checked->subject}, {"certificate", files.certificate}});
  return context;
}

}  // namespace

Result<std::unique_ptr<TlsContextSource>> TlsContextSource::create(HttpTlsFiles files) {
  std::unique_ptr<TlsContextSource> source(new TlsContextSource(std::move(files)));
  std::lock_guard lock(source->mutex_);
  if (auto loaded = source->reloadLocked(); !loaded) return loaded.error();
  return source;
}

TlsContextSource::Stamp TlsContextSource::stampNow() const {
  std::error_code ec;
  Stamp stamp;
  stamp.certificate = std::filesystem::last_write_time(files_.certificate, ec);
  stamp.private_key = std::filesystem::last_write_time(files_.private_key, ec);
  return stamp;
}

Result<void> TlsContextSource::reloadLocked() {
  Stamp stamp = stampNow();
  auto built = build(files_);
  // Remember the stamp even on failure: a broken pair is reported once, not per connection.
  stamp_ = stamp;
  if (!built) return built.error();
  context_ = std::move(built.value());
  return okResult();
}

Result<void> TlsContextSource::reload() {
  std::lock_guard lock(mutex_);
  auto reloaded = reloadLocked();
  if (!reloaded) {
    log::error("https_certificate_reload_failed", {{"reason", reloaded.error().describe()}});
  }
  return reloaded;
}

std::shared_ptr<ssl::context> TlsContextSource::current() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now >= next_check_) {
    next_check_ = now + kCheckInterval;
    if (stampNow() != stamp_) {
      if (auto reloaded = reloadLocked(); !reloaded) {
        log::error("https_certificate_reload_failed",
                   {{"reason", reloaded.error().describe()}, {"kept", "the previous certificate"}});
      }
    }
  }
  return context_;
}

}  // namespace sundial::adapters::http
