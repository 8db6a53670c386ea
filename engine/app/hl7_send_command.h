#pragma once
// `sundial hl7 send --host H --port P FILE...`: sends every message of every file over MLLP,
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
};

// kExitOk when every message got an AA or CA; kExitNotAccepted when any got another code or
// no ACK; kExitUsage when a file cannot be read or holds no message.
int runHl7Send(const Hl7SendOptions& options);

}  // namespace sundial::app
