#include "adapters/dicom/dicom_tls.h"

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <openssl/x509.h>

#include <chrono>
#include <vector>

#include "adapters/dicom/dicom_tls_connection.h"
#include "adapters/tls/certificate_check.h"
#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmtls/tlslayer.h"

namespace sundial::adapters::dicom {
namespace {

Error refused(const std::string& file, const std::string& what, const OFCondition& cond) {
  return makeError(ErrorCode::InvalidInput, what + ": " + cond.text(), file);
}

}  // namespace

Result<TlsLayerPtr> makeTlsLayer(TlsRole role, const DicomTlsFiles& files) {
  // The same checks as HTTPS, with the same messages, before DCMTK sees the files.
  auto checked = tls::checkCertificateFiles(files.certificate, files.private_key, files.ca_file,
                                            std::chrono::system_clock::now());
  if (!checked) return checked.error();
  const T_ASC_NetworkRole network_role = role == TlsRole::Acceptor ? NET_ACCEPTOR : NET_REQUESTOR;
  TlsLayerPtr layer(new ReadAheadTlsLayer(network_role));
  if (!*layer) return makeError(ErrorCode::Internal, "cannot initialise DCMTK's TLS layer");
  // Non-downgrading BCP 195: TLS 1.2 or newer only; a peer offering less is refused.
  OFCondition cond = layer->setTLSProfile(TSP_Profile_BCP195_ND);
  if (cond.bad()) return refused(files.certificate, "TLS profile", cond);
  cond = layer->activateCipherSuites();
  if (cond.bad()) return refused(files.certificate, "cipher suites", cond);
  cond = layer->setPrivateKeyFile(files.private_key.c_str(), DCF_Filetype_PEM);
  if (cond.bad()) return refused(files.private_key, "private key", cond);
  cond = layer->setCertificateFile(files.certificate.c_str(), DCF_Filetype_PEM);
  if (cond.bad()) return refused(files.certificate, "certificate", cond);
  if (!layer->checkPrivateKeyMatchesCertificate()) {
    return makeError(ErrorCode::InvalidInput, "the private key does not match the certificate",
                     files.private_key);
  }
  if (!files.ca_file.empty()) {
    cond = layer->addTrustedCertificateFile(files.ca_file.c_str(), DCF_Filetype_PEM);
    if (cond.bad()) return refused(files.ca_file, "CA file", cond);
    layer->setCertificateVerification(DCV_requireCertificate);
  } else {
    layer->setCertificateVerification(DCV_ignoreCertificate);
  }
  return layer;
}

void TlsLayerDeleter::operator()(DcmTLSTransportLayer* layer) const { delete layer; }

PeerCertificate peerCertificateOf(T_ASC_Association* association) {
  PeerCertificate out;
  if (association == nullptr) return out;
  unsigned long length = ASC_getPeerCertificateLength(association);
  if (length == 0) return out;
  std::vector<unsigned char> der(length);
  if (ASC_getPeerCertificate(association, der.data(), length) != length) return out;
  const unsigned char* p = der.data();
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(length));
  if (cert == nullptr) return out;
  out.present = true;
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (n >= 0) {
      out.common_name.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
      OPENSSL_free(utf8);
    }
  }
  X509_free(cert);
  return out;
}

}  // namespace sundial::adapters::dicom
