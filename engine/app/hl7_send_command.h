#pragma once
// `sundial hl7 send --host H --port P [--tls --ca FILE [--cert FILE --key FILE]] FILE...`: sends every message of every file over MLLP,
// one at a time on one connection, and prints each ACK (MSA-1, control id, text) — for
// admins testing a site's interface or the engine's own listener.

#include <cstdint>
#include <string>
#include <vector>

namespace sundial::app {

struct Hl7SendOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2575;
  int ack_timeout_ms = 30000;
  std::vector<std::string> files;
  // --tls: MLLP over TLS, the receiver's certificate checked against --ca (required) and the
  // host name (or --server-name); --cert/--key for receivers that ask for a client certificate.
  bool tls = false;
  std::string ca_file;
  std::string server_name;
  std::string certificate;
  std::string private_key;
};

// kExitOk when every message got an AA or CA; kExitNotAccepted when any got another code or
// no ACK; kExitUsage when a file cannot be read or holds no message, or the TLS options are
// incomplete.
int runHl7Send(const Hl7SendOptions& options);

}  // namespace sundial::app
