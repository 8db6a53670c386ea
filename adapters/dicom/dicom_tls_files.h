#pragma once
// Where the certificate, key and trusted CAs for DICOM over TLS are (PEM files). For an
// acceptor, a CA file asks every caller for a certificate signed by it (mutual TLS); for a
// requestor, it is what the destination's certificate must chain to (without one, the
// destination's certificate is not checked: configure one).

#include <string>

namespace sundial::adapters::dicom {

struct DicomTlsFiles {
  std::string certificate;
  std::string private_key;
  std::string ca_file;
};

}  // namespace sundial::adapters::dicom
