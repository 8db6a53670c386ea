// <utility> before any Asio header (DEPENDENCIES.md 3.9).
#include <utility>

#include "hl7/mllp/client.h"

#include <array>
#include <functional>
#include <optional>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "hl7/ack/ack_builder.h"
#include "hl7/mllp/codec.h"
#include "hl7/mllp/tls_stream.h"

namespace sundial::hl7::mllp {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Client::Impl {
  ClientOptions options;
  asio::io_context io;
  std::shared_ptr<asio::ssl::context> tls;  // made on first connect when options.tls is set
  // Remade for each connection (a TLS stream cannot be reused after its socket closed).
  std::unique_ptr<MllpStream> stream = std::make_unique<MllpStream>(tcp::socket(io));

  std::string where() const { return options.host + ":" + std::to_string(options.port); }

  tcp::socket& socket() { return stream->socket(); }

  void drop() {
    boost::system::error_code ignored;
    stream->socket().close(ignored);
  }

  Result<void> handshake() {
    const std::string name = options.tls->server_name.empty() ? options.host : options.tls->server_name;
    // Server name indication, and the name the server's certificate must carry.
    SSL_set_tlsext_host_name(stream->tls()->native_handle(), name.c_str());
    stream->tls()->set_verify_callback(asio::ssl::host_name_verification(name));
    std::optional<boost::system::error_code> result;
    stream->tls()->async_handshake(asio::ssl::stream_base::client,
                                   [&result](const boost::system::error_code& ec) { result = ec; });
    if (!runFor(options.connect_timeout) || !result) {
      drop();
      return makeError(ErrorCode::Unavailable, "TLS handshake did not finish in time", where());
    }
    if (*result) {
      drop();
      return makeError(ErrorCode::Unavailable, "TLS handshake failed: " + result->message(), where());
    }
    return okResult();
  }

  // Runs the io context until the pending operation completes or `timeout` passes; on
  // timeout the socket is closed and the cancelled handlers are run to completion.
  bool runFor(std::chrono::milliseconds timeout) {
    io.restart();
    io.run_for(timeout);
    if (io.stopped()) return true;
    drop();
    io.restart();
    io.run();
    return false;
  }

  Result<void> connect() {
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec) {
      return makeError(ErrorCode::Unavailable, "cannot resolve HL7 endpoint: " + ec.message(),
                       where());
    }
    if (options.tls && !tls) {
      auto context = makeClientTlsContext(*options.tls);
      if (!context) return context.error();
      tls = std::move(context.value());
    }
    stream = std::make_unique<MllpStream>(tcp::socket(io), tls);
    std::optional<boost::system::error_code> result;
    asio::async_connect(socket(), endpoints,
                        [&result](const boost::system::error_code& error, const tcp::endpoint&) {
                          result = error;
                        });
    if (!runFor(options.connect_timeout) || !result) {
      drop();
      return makeError(ErrorCode::Unavailable, "HL7 endpoint did not accept in time", where());
    }
    if (*result) {
      drop();
      return makeError(ErrorCode::Unavailable, "cannot connect: " + result->message(), where());
    }
    socket().set_option(tcp::no_delay(true), ec);
    if (tls) return handshake();
    return okResult();
  }

  // Writes the framed message and reads until one frame has arrived.
  Result<std::string> exchange(const std::string& framed) {
    std::optional<boost::system::error_code> failure;
    std::optional<Frame> reply;
    FrameDecoder decoder(options.max_ack_bytes);
    std::array<char, 8192> buffer{};
    std::function<void()> readMore = [&] {
      stream->async_read_some(asio::buffer(buffer), [&](const boost::system::error_code& ec,
                                                       std::size_t n) {
        if (ec) {
          failure = ec;
          return;
        }
        std::vector<Frame> frames = decoder.feed(std::string_view(buffer.data(), n));
        if (!frames.empty()) {
          reply = std::move(frames.front());
          return;
        }
        if (decoder.pendingGarbage() > options.max_ack_bytes) {
          failure = asio::error::message_size;
          return;
        }
        readMore();
      });
    };
    asio::async_write(*stream, asio::buffer(framed),
                      [&](const boost::system::error_code& ec, std::size_t) {
                        if (ec) {
                          failure = ec;
                          return;
                        }
                        readMore();
                      });
    const bool in_time = runFor(options.ack_timeout);
    if (reply) {
      if (reply->kind == FrameKind::TooLarge) {
        return makeError(ErrorCode::InvalidInput, "ACK larger than the limit", where());
      }
      return std::move(reply->text);
    }
    if (!in_time) return makeError(ErrorCode::Unavailable, "no ACK in time", where());
    if (failure == asio::error::message_size) {
      return makeError(ErrorCode::InvalidInput, "reply is not MLLP-framed", where());
    }
    if (failure == asio::error::eof) {
      if (decoder.totalGarbage() > 0) {
        return makeError(ErrorCode::InvalidInput, "reply is not MLLP-framed", where());
      }
      return makeError(ErrorCode::Unavailable, "connection closed without an ACK", where());
    }
    return makeError(ErrorCode::Unavailable,
                     "connection failed: " + (failure ? failure->message() : std::string("?")),
                     where());
  }
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Client::~Client() { close(); }

void Client::close() { impl_->drop(); }

bool Client::connected() const { return impl_->stream->socket().is_open(); }

Result<AckOutcome> Client::send(std::string_view message) {
  Impl& impl = *impl_;
  if (!impl.socket().is_open()) {
    Result<void> connected = impl.connect();
    if (!connected) return connected.error();
  }
  Result<std::string> reply = impl.exchange(frameMessage(message));
  if (!reply) {
    impl.drop();
    return reply.error();
  }
  Result<AckOutcome> ack = readAck(reply.value());
  if (!ack) {
    impl.drop();
    return makeError(ErrorCode::InvalidInput, "reply is not an HL7 ACK: " + ack.error().message,
                     impl.where());
  }
  const std::optional<AckHeaderSource> sent = scanAckHeaderSource(message);
  if (sent && ack->control_id != sent->control_id) {
    impl.drop();
    return makeError(ErrorCode::InvalidInput, "ACK names another message",
                     impl.where() + " MSA-2=" + ack->control_id + " sent=" + sent->control_id);
  }
  return ack;
}

}  // namespace sundial::hl7::mllp
