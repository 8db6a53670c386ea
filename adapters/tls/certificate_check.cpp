#include "adapters/tls/certificate_check.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <memory>

namespace sundial::adapters::tls {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

Error problem(const std::filesystem::path& file, const std::string& what) {
  ERR_clear_error();  // the queue belongs to this call; leave it clean for the next one
  return makeError(ErrorCode::InvalidInput, what, file.string());
}

std::unique_ptr<BIO, BioDeleter> openFile(const std::filesystem::path& file) {
  return std::unique_ptr<BIO, BioDeleter>(BIO_new_file(file.c_str(), "r"));
}

UtcTime toUtc(const ASN1_TIME* time) {
  std::tm tm{};
  ASN1_TIME_to_tm(time, &tm);
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string nameLine(X509_NAME* name) {
  std::unique_ptr<BIO, BioDeleter> out(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long length = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string commonName(X509_NAME* name) {
  int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

std::string isoDate(UtcTime t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

Result<CertificateInfo> checkCertificateFiles(const std::filesystem::path& certificate,
                                              const std::filesystem::path& private_key,
                                              const std::filesystem::path& ca_file, UtcTime now) {
  std::error_code ec;
  if (!std::filesystem::exists(certificate, ec)) return problem(certificate, "certificate file not found");
  if (!std::filesystem::exists(private_key, ec)) return problem(private_key, "private key file not found");
  auto cert_bio = openFile(certificate);
  if (!cert_bio) return problem(certificate, "cannot read the certificate file");
  std::unique_ptr<X509, X509Deleter> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return problem(certificate, "not a PEM certificate");
  auto key_bio = openFile(private_key);
  if (!key_bio) return problem(private_key, "cannot read the private key file");
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) return problem(private_key, "not a PEM private key (or it is encrypted)");

  CertificateInfo info;
  info.subject = nameLine(X509_get_subject_name(cert.get()));
  info.common_name = commonName(X509_get_subject_name(cert.get()));
  info.not_before = toUtc(X509_get0_notBefore(cert.get()));
  info.not_after = toUtc(X509_get0_notAfter(cert.get()));
  if (now < info.not_before) {
    return problem(certificate, "certificate not valid before " + isoDate(info.not_before) +
                                    " (" + info.subject + ")");
  }
  if (now > info.not_after) {
    return problem(certificate, "certificate expired on " + isoDate(info.not_after) + " (" +
                                    info.subject + ")");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return problem(private_key, "the private key does not match the certificate " +
                                    certificate.string() + " (" + info.subject + ")");
  }
  if (!ca_file.empty()) {
    auto ca_bio = openFile(ca_file);
    if (!ca_bio) return problem(ca_file, "cannot read the CA file");
    std::unique_ptr<X509, X509Deleter> ca(PEM_read_bio_X509(ca_bio.get(), nullptr, nullptr, nullptr));
    if (!ca) return problem(ca_file, "no PEM certificate in the CA file");
  }
  ERR_clear_error();
  return info;
}

}  // namespace sundial::adapters::tls
