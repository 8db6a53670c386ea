#pragma once
// Keys made in the test with OpenSSL, a JWKS document for them, and a signer of JWTs: so
// the verifier is checked against real signatures, never fixed strings.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "adapters/tls/base64.h"

namespace sundial::testing {

class TestSigningKey {
 public:
  enum class Type { Rsa, Ec };

  TestSigningKey(Type type, std::string kid) : type_(type), kid_(std::move(kid)) {
    key_ = type == Type::Rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                             : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (!key_) throw std::runtime_error("key generation failed");
  }
  ~TestSigningKey() { EVP_PKEY_free(key_); }
  TestSigningKey(const TestSigningKey&) = delete;
  TestSigningKey& operator=(const TestSigningKey&) = delete;

  const std::string& kid() const { return kid_; }
  std::string alg() const { return type_ == Type::Rsa ? "RS256" : "ES256"; }

  nlohmann::json jwk() const {
    if (type_ == Type::Rsa) {
      return {{"kty", "RSA"}, {"kid", kid_}, {"use", "sig"}, {"alg", "RS256"},
              {"n", bn(OSSL_PKEY_PARAM_RSA_N, 0)}, {"e", bn(OSSL_PKEY_PARAM_RSA_E, 0)}};
    }
    return {{"kty", "EC"}, {"kid", kid_}, {"crv", "P-256"},
            {"x", bn(OSSL_PKEY_PARAM_EC_PUB_X, 32)}, {"y", bn(OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
  }

  // header.payload.signature, with the header's alg and kid unless overridden.
  std::string sign(const nlohmann::json& claims, nlohmann::json header = nullptr) const {
    if (header.is_null()) header = {{"alg", alg()}, {"kid", kid_}, {"typ", "JWT"}};
    std::string input = adapters::tls::base64UrlEncode(header.dump()) + "." +
                        adapters::tls::base64UrlEncode(claims.dump());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t length = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_);
    EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string signature(length, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    signature.resize(length);
    if (type_ == Type::Ec) signature = derToJose(signature);
    return input + "." + adapters::tls::base64UrlEncode(signature);
  }

 private:
  std::string bn(const char* name, int width) const {
    BIGNUM* value = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &value);
    int size = width ? width : BN_num_bytes(value);
    std::string bytes(static_cast<size_t>(size), '\0');
    BN_bn2binpad(value, reinterpret_cast<unsigned char*>(bytes.data()), size);
    BN_free(value);
    return adapters::tls::base64UrlEncode(bytes);
  }

  static std::string derToJose(const std::string& der) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    std::string out(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
    ECDSA_SIG_free(sig);
    return out;
  }

  Type type_;
  std::string kid_;
  EVP_PKEY* key_ = nullptr;
};

}  // namespace sundial::testing
