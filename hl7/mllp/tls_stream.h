#pragma once
// The byte stream an MLLP connection reads and writes: a plain TCP socket, or TLS over it
// (TLS 1.2 or newer, forward-secret AEAD suites for TLS 1.2). Internal to hl7/mllp: only
// server.cpp, client.cpp and tls_stream.cpp include it (Asio stays out of every other header).
//
// Both async operations forward to the TLS stream when there is one, else to the socket; with
// any one completion token the two return the same type, so callers (coroutines or plain
// handlers) do not care which it is.

// <utility> before any Asio header (DEPENDENCIES.md 3.9).
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <string>

#include "engine/domain/result.h"
#include "hl7/mllp/tls_options.h"

namespace sundial::hl7::mllp {

class MllpStream {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  // TLS over the socket when `context` is set (kept alive as long as the stream), else plain.
  MllpStream(boost::asio::ip::tcp::socket socket,
             std::shared_ptr<boost::asio::ssl::context> context = nullptr)
      : socket_(std::move(socket)), context_(std::move(context)) {
    if (context_) {
      tls_ = std::make_unique<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>>(socket_,
                                                                                      *context_);
    }
  }
  // The TLS layer refers to socket_: the stream stays where it was made.
  MllpStream(const MllpStream&) = delete;
  MllpStream& operator=(const MllpStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  bool isTls() const { return tls_ != nullptr; }
  // The TLS layer (for the handshake); null for plain TCP.
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>* tls() { return tls_.get(); }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
    return socket_.async_read_some(buffers, std::forward<Token>(token));
  }

  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
    return socket_.async_write_some(buffers, std::forward<Token>(token));
  }

  // The subject CN of the peer's verified certificate, empty when it sent none.
  std::string peerCommonName();

 private:
  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;
};

// InvalidInput naming the file and the problem (missing, unreadable, key mismatch).
Result<std::shared_ptr<boost::asio::ssl::context>> makeServerTlsContext(const MllpServerTls& tls);
Result<std::shared_ptr<boost::asio::ssl::context>> makeClientTlsContext(const MllpClientTls& tls);

}  // namespace sundial::hl7::mllp
