#pragma once
// The MLLP server: accepts connections, takes MLLP frames apart, hands each message to a
// handler and sends back what the handler decides. No Asio type appears here (STYLE.md §1):
// the sockets live in server.cpp.
//
// Per connection, one message at a time: the handler's answer is sent before the next
// message is read. A connection that says nothing for the idle timeout is closed; garbage
// outside frames is skipped, counted and logged; a frame over the size limit is answered
// with an AR when its control ID can be read, and the connection is closed either way.
// Whatever one connection does, the others carry on.
//
// Threads: start() and stop() from one owning thread. The handler is called on one of the
// server's io threads (ServerOptions::threads), for different connections concurrently, so
// it must be thread-safe; a handler that blocks (a store write) holds that thread, so size
// `threads` for the number of connections expected to wait at once.
//
// TLS (ServerOptions::tls, security.mllp_tls): the handshake comes first on every
// connection, within the idle timeout; with a CA file every client must present a
// certificate, whose subject CN reaches the handler in ReceivedMessage.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/domain/result.h"
#include "hl7/mllp/tls_options.h"
#include "hl7/message/message.h"

namespace sundial::hl7::mllp {

inline constexpr std::uint16_t kDefaultPort = 2575;

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = kDefaultPort;  // 0: any free port (start() says which)
  std::size_t max_message_bytes = 1024 * 1024;
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t threads = 2;
  std::size_t max_connections = 256;  // more are accepted and closed at once, logged
  // MLLP over TLS (TLS 1.2 or newer): plain connections fail the handshake. A bad file is
  // InvalidInput from start().
  std::optional<MllpServerTls> tls;
};

struct ReceivedMessage {
  std::string_view text;   // the message without MLLP framing, as received
  Result<Message> parsed;  // parseMessage(text): the message, or why it does not parse
  std::string peer;        // "address:port"
  std::uint64_t connection_id = 0;
  // Over TLS with client certificates: the verified certificate's subject CN; else empty.
  std::string peer_certificate_name;
};

// What to do with one received message.
struct Reply {
  enum class Action {
    SendAck,          // send `ack` (HL7 text, framed by the server), then read the next
    CloseWithoutAck,  // close without answering: the sender must retry (store down)
    NoAck,            // send nothing and read the next (enhanced mode, MSH-15 NE/ER/SU)
  };

  Action action = Action::CloseWithoutAck;
  std::string ack;
  std::string reason;  // logged when closing

  static Reply sendAck(std::string ack_text);
  static Reply closeWithoutAck(std::string reason);
  static Reply noAck();
};

using MessageHandler = std::function<Reply(const ReceivedMessage&)>;

// For a message that did not parse: the AR naming its control ID (ERR-3 100, the parse
// error as text), or, when no control ID can be read, closing with the parse error logged.
Reply replyForUnparsed(const ReceivedMessage& received);

// "YYYYMMDDHHMMSS" in UTC, for an ACK's MSH-7.
std::string hl7Timestamp(std::chrono::system_clock::time_point when);

struct ServerCounters {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t messages = 0;
  std::uint64_t garbage_bytes = 0;
  std::uint64_t oversize_frames = 0;
  std::uint64_t idle_closes = 0;
};

class Server {
 public:
  Server(ServerOptions options, MessageHandler handler);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the io threads. The bound port, or Unavailable when the
  // address cannot be bound. Called once.
  Result<std::uint16_t> start();
  // Stops accepting, closes every connection (a message whose handler is running finishes,
  // its answer is dropped with the connection, so the sender retries), joins the threads.
  // Idempotent.
  void stop();

  ServerCounters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sundial::hl7::mllp
