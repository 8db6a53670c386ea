#pragma once
// A small HTTP/1.0 and 1.1 server (keep-alive, timeouts, size limits) that knows nothing of
// the domain: routes map a method and a path to a Handler. Boost.Beast lives only in
// http_server.cpp; no Boost type appears here.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/http/http_message.h"
#include "engine/domain/result.h"

namespace sundial::adapters::http {

// HTTPS: PEM files for the certificate (leaf first, then intermediates) and its key.
struct HttpTlsFiles {
  std::string certificate;
  std::string private_key;
};

struct HttpOptions {
  int io_threads = 1;
  std::size_t max_body_bytes = 1024 * 1024;  // larger: 413 and close
  std::size_t max_header_bytes = 16 * 1024;  // request line plus headers; larger: 431 and close
  std::size_t max_connections = 1024;        // beyond: 503 and close
  // How long a request (or an idle keep-alive connection) may take to arrive, and a response
  // to be taken by the client, before the connection is closed.
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};
  // Serve HTTPS (TLS 1.2 and 1.3 only, forward-secret AEAD ciphers) instead of HTTP. The
  // files are re-read when they change (checked at most once a second, on a new
  // connection) or on reloadTls(); a bad new pair is logged and the old one kept.
  std::optional<HttpTlsFiles> tls;
};

// Runs on the io thread before routing, for every request: fills request.principal, or
// returns the answer to send instead of the handler's (401, 403). Installed by the security
// part (engine/app/auth_gate.cpp); must be thread-safe like a Handler.
using Gate = std::function<std::optional<Response>(Request&)>;

// Owns the listening socket, the io threads and every connection. Construct, route(), then
// start() once; stop() (or the destructor) ends it. route(), start() and stop() are for one
// owning thread; handlers run on the io threads.
class HttpServer {
 public:
  HttpServer(std::string bind_address, std::uint16_t port, HttpOptions options = {});
  ~HttpServer();  // stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Before start() only. method is matched case-sensitively ("GET"); path is exact ("/health")
  // or a prefix ending in "/*" ("/studies/*", see Request::path_tail). A GET route answers
  // HEAD too. Registering the same method and path again replaces the handler.
  void route(std::string method, std::string path, Handler handler);

  // Before start() only: every request passes the gate first (see Gate).
  void setGate(Gate gate);

  // Binds (port 0: any free port), listens and runs the io threads. Returns the bound port.
  // InvalidInput for a bind address that is not an IP address; Unavailable when binding fails.
  Result<std::uint16_t> start();

  // HTTPS: re-reads the certificate and key now (SIGHUP). On failure the running pair stays
  // and the error says why. No-op for plain HTTP.
  Result<void> reloadTls();

  // Stops accepting, closes every connection (a request being handled finishes first, its
  // response is dropped) and joins the io threads. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sundial::adapters::http
