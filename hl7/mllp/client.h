#pragma once
// The MLLP client: sends one message at a time to a site's HL7 endpoint and reads the ACK
// that comes back. The connection is kept open between messages and dropped after any
// error (its state is then unknown). No Asio type appears here: sockets live in client.cpp.
// One Client per thread; send() blocks the calling thread up to the configured timeouts.
//
// Errors (STYLE.md §4): Unavailable when the endpoint cannot be reached, closes without an
// ACK or does not answer in time (the message may be retried); InvalidInput when the reply
// is not an MLLP-framed HL7 ACK for the message sent. An AE/AR/CE/CR is not an Error: it is
// an AckOutcome with delivered = false and the site's text.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/domain/result.h"
#include "hl7/ack/ack_reader.h"
#include "hl7/mllp/tls_options.h"

namespace sundial::hl7::mllp {

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2575;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds ack_timeout{30'000};
  std::size_t max_ack_bytes = 1024 * 1024;
  // MLLP over TLS: the server's certificate is checked against ca_file and server_name (or
  // host). A failed handshake is Unavailable; an unusable file InvalidInput.
  std::optional<MllpClientTls> tls;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Connects when not connected, sends `message` (HL7 text, framed here), waits for the ACK.
  Result<AckOutcome> send(std::string_view message);
  void close();
  bool connected() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sundial::hl7::mllp
