#include "engine/app/hl7_send_command.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/app/exit_codes.h"
#include "engine/domain/log.h"
#include "hl7/message/split.h"
#include "hl7/mllp/client.h"

namespace sundial::app {
namespace {

// MLLP carries segments ended by CR (HL7's terminator); files are often edited with LF or
// CRLF line ends, which a strict receiver would take for one long segment.
std::string withCrTerminators(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (std::size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') continue;
    out += c == '\n' ? '\r' : c;
  }
  return out;
}

std::string controlIdOf(std::string_view message) {
  // MSH-10 without parsing: the field separator is MSH's fourth byte.
  if (message.size() < 4) return {};
  const char separator = message[3];
  std::size_t start = 0;
  for (int field = 1; field < 10; ++field) {
    start = message.find(separator, start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  const std::size_t end = message.find_first_of(std::string{separator, '\r', '\n'}, start);
  return std::string(message.substr(start, end == std::string_view::npos ? end : end - start));
}

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  out = bytes.str();
  return true;
}

}  // namespace

int runHl7Send(const Hl7SendOptions& options) {
  log::setMinimumLevel(log::Level::Warn);  // the ACK lines are the output
  hl7::mllp::ClientOptions client_options;
  client_options.host = options.host;
  client_options.port = options.port;
  client_options.ack_timeout = std::chrono::milliseconds(options.ack_timeout_ms);
  if (options.tls) {
    if (options.ca_file.empty()) {
      std::cerr << "sundial hl7 send: --tls needs --ca FILE (the CA the receiver's certificate "
                   "must chain to)\n";
      return kExitUsage;
    }
    if (options.certificate.empty() != options.private_key.empty()) {
      std::cerr << "sundial hl7 send: --cert and --key go together\n";
      return kExitUsage;
    }
    client_options.tls = hl7::mllp::MllpClientTls{options.ca_file, options.server_name,
                                                  options.certificate, options.private_key};
  } else if (!options.ca_file.empty() || !options.certificate.empty()) {
    std::cerr << "sundial hl7 send: --ca, --cert and --key need --tls\n";
    return kExitUsage;
  }
  hl7::mllp::Client client(client_options);

  int sent = 0;
  int accepted = 0;
  for (const std::string& path : options.files) {
    std::string text;
    if (!readFile(path, text)) {
      std::cerr << "sundial hl7 send: cannot read " << path << "\n";
      return kExitUsage;
    }
    const hl7::SplitMessages split = hl7::splitMessages(text);
    if (split.messages.empty()) {
      std::cerr << "sundial hl7 send: no HL7 message (MSH segment) in " << path << "\n";
      return kExitUsage;
    }
    int index = 0;
    for (std::string_view message : split.messages) {
      ++index;
      ++sent;
      const std::string control_id = controlIdOf(message);
      std::cout << path << " #" << index << " control_id=" << log::formatValue(control_id);
      auto outcome = client.send(withCrTerminators(message));
      if (!outcome) {
        std::cout << " ack=none error=" << log::formatValue(outcome.error().describe()) << "\n";
        continue;
      }
      const hl7::AckOutcome& ack = outcome.value();
      if (ack.delivered) ++accepted;
      std::cout << " ack=" << hl7::ackCodeName(ack.code)
                << " acked_control_id=" << log::formatValue(ack.control_id);
      if (!ack.error_text.empty()) std::cout << " text=" << log::formatValue(ack.error_text);
      std::cout << "\n";
    }
  }
  std::cout << "sent=" << sent << " accepted=" << accepted << " not_accepted=" << sent - accepted
            << "\n";
  return accepted == sent ? kExitOk : kExitNotAccepted;
}

}  // namespace sundial::app
