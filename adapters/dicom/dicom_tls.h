#pragma once
// DICOM over TLS (PS3.15 Annex B, the non-downgrading BCP 195 profile: TLS 1.2 or newer,
// ECDHE/DHE with AES-GCM) with DCMTK's dcmtls, for the receiver (acceptor) and the
// forwarders (requestor). Internal to adapters/dicom: DCMTK types stay forward-declared.

#include <memory>
#include <optional>
#include <string>

#include "adapters/dicom/dicom_tls_files.h"
#include "engine/domain/result.h"

class DcmTLSTransportLayer;
struct T_ASC_Association;

namespace sundial::adapters::dicom {

enum class TlsRole { Acceptor, Requestor };

// Deletes a layer (DcmTLSTransportLayer may be incomplete where the pointer lives).
struct TlsLayerDeleter {
  void operator()(DcmTLSTransportLayer* layer) const;
};
using TlsLayerPtr = std::unique_ptr<DcmTLSTransportLayer, TlsLayerDeleter>;

// InvalidInput naming the file and the problem (missing, expired, key mismatch...).
Result<TlsLayerPtr> makeTlsLayer(TlsRole role, const DicomTlsFiles& files);

// What the peer of an association proved over TLS: nothing on a plain connection.
struct PeerCertificate {
  bool present = false;
  std::string common_name;  // the certificate subject's CN
};
PeerCertificate peerCertificateOf(T_ASC_Association* association);

}  // namespace sundial::adapters::dicom
