#include "hl7/mllp/tls_stream.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>

namespace sundial::hl7::mllp {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: ECDHE with AEAD only (BCP 195); TLS 1.3 suites are OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Error fileProblem(const std::string& file, const std::string& what) {
  return makeError(ErrorCode::InvalidInput, "MLLP TLS: " + what, file);
}

Result<void> harden(ssl::context& context) {
  SSL_CTX* native = context.native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return makeError(ErrorCode::Internal, "MLLP TLS: OpenSSL accepts none of the cipher suites");
  }
  return okResult();
}

Result<void> useIdentity(ssl::context& context, const std::string& certificate,
                         const std::string& key) {
  std::error_code exists;
  if (!std::filesystem::exists(certificate, exists)) return fileProblem(certificate, "certificate file not found");
  if (!std::filesystem::exists(key, exists)) return fileProblem(key, "private key file not found");
  boost::system::error_code ec;
  context.use_certificate_chain_file(certificate, ec);
  if (ec) return fileProblem(certificate, "not a PEM certificate chain (" + ec.message() + ")");
  context.use_private_key_file(key, ssl::context::pem, ec);
  // OpenSSL 3 checks the pair while loading the key ("key values mismatch").
  if (ec && ec.message().find("mismatch") != std::string::npos) {
    return fileProblem(key, "the private key does not match the certificate " + certificate);
  }
  if (ec) return fileProblem(key, "not a PEM private key (" + ec.message() + ")");
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    return fileProblem(key, "the private key does not match the certificate " + certificate);
  }
  return okResult();
}

Result<void> trust(ssl::context& context, const std::string& ca_file) {
  boost::system::error_code ec;
  context.load_verify_file(ca_file, ec);
  if (ec) return fileProblem(ca_file, "cannot read the CA file (" + ec.message() + ")");
  return okResult();
}

}  // namespace

std::string MllpStream::peerCommonName() {
  if (!tls_) return {};
  X509* cert = SSL_get1_peer_certificate(tls_->native_handle());
  if (cert == nullptr) return {};
  std::string out;
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
    if (n >= 0) {
      out.assign(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
      OPENSSL_free(utf8);
    }
  }
  X509_free(cert);
  return out;
}

Result<std::shared_ptr<ssl::context>> makeServerTlsContext(const MllpServerTls& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  if (auto hardened = harden(*context); !hardened) return hardened.error();
  if (auto identity = useIdentity(*context, tls.certificate, tls.private_key); !identity) {
    return identity.error();
  }
  if (!tls.ca_file.empty()) {
    if (auto trusted = trust(*context, tls.ca_file); !trusted) return trusted.error();
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return context;
}

Result<std::shared_ptr<ssl::context>> makeClientTlsContext(const MllpClientTls& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  if (auto hardened = harden(*context); !hardened) return hardened.error();
  if (tls.ca_file.empty()) {
    return makeError(ErrorCode::InvalidInput, "MLLP TLS: the client needs a CA file to check the server");
  }
  if (auto trusted = trust(*context, tls.ca_file); !trusted) return trusted.error();
  context->set_verify_mode(ssl::verify_peer);
  if (!tls.certificate.empty()) {
    if (auto identity = useIdentity(*context, tls.certificate, tls.private_key); !identity) {
      return identity.error();
    }
  }
  return context;
}

}  // namespace sundial::hl7::mllp
