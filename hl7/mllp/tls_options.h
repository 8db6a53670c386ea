#pragma once
// MLLP over TLS (security.mllp_tls): what the server and the client need, as PEM files.
// No Asio or OpenSSL type here.

#include <string>

namespace sundial::hl7::mllp {

struct MllpServerTls {
  std::string certificate;  // ours, leaf first
  std::string private_key;
  // When set, every client must present a certificate signed by one of these (mutual TLS);
  // its subject CN reaches the handler in ReceivedMessage::peer_certificate_name.
  std::string ca_file;
};

struct MllpClientTls {
  std::string ca_file;      // what the server's certificate must chain to (required)
  std::string server_name;  // checked against the server's certificate; empty: the host
  std::string certificate;  // ours, for servers that ask for one (optional)
  std::string private_key;
};

}  // namespace sundial::hl7::mllp
