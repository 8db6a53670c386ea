#include "adapters/tls/jwt_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "adapters/tls/base64.h"

namespace sundial::adapters::tls {
namespace {

using nlohmann::json;

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxTokenBytes = 16 * 1024;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

enum class KeyType { Rsa, Ec };

struct Key {
  std::string kid;
  KeyType type;
  Pkey pkey;
};

Error invalid(std::string message) { return makeError(ErrorCode::InvalidInput, std::move(message)); }
Error rejected(std::string message) { return makeError(ErrorCode::Rejected, std::move(message)); }

std::optional<std::string> jsonString(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

BIGNUM* toBignum(const std::string& bytes) {
  return BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                   static_cast<int>(bytes.size()), nullptr);
}

Result<Pkey> fromParams(const char* type, OSSL_PARAM_BLD* builder) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* pkey = nullptr;
  bool ok = params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
            EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  if (!ok) return invalid(std::string("OpenSSL refused the ") + type + " key");
  return Pkey(pkey);
}

Result<Pkey> rsaKey(const json& jwk) {
  auto n = jsonString(jwk, "n");
  auto e = jsonString(jwk, "e");
  if (!n || !e) return invalid("RSA key without n or e");
  auto n_bytes = base64UrlDecode(*n);
  auto e_bytes = base64UrlDecode(*e);
  if (!n_bytes || !e_bytes) return invalid("RSA key: n or e is not base64url");
  if (static_cast<int>(n_bytes->size()) * 8 < kMinRsaBits) {
    return invalid("RSA key shorter than 2048 bits");
  }
  BIGNUM* bn_n = toBignum(*n_bytes);
  BIGNUM* bn_e = toBignum(*e_bytes);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n);
  OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e);
  auto key = fromParams("RSA", builder);
  OSSL_PARAM_BLD_free(builder);
  BN_free(bn_n);
  BN_free(bn_e);
  return key;
}

Result<Pkey> ecKey(const json& jwk) {
  if (jsonString(jwk, "crv") != "P-256") return invalid("EC key on a curve other than P-256");
  auto x = jsonString(jwk, "x");
  auto y = jsonString(jwk, "y");
  if (!x || !y) return invalid("EC key without x or y");
  auto x_bytes = base64UrlDecode(*x);
  auto y_bytes = base64UrlDecode(*y);
  if (!x_bytes || !y_bytes || x_bytes->size() != 32 || y_bytes->size() != 32) {
    return invalid("EC key: x and y must be 32 bytes of base64url");
  }
  std::string point = "\x04" + *x_bytes + *y_bytes;  // uncompressed point (SEC 1)
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  auto key = fromParams("EC", builder);
  OSSL_PARAM_BLD_free(builder);
  return key;
}

// JOSE carries an ECDSA signature as r || s (32 bytes each); OpenSSL wants DER.
std::optional<std::string> joseToDer(const std::string& raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

bool verifySignature(EVP_PKEY* key, std::string_view signed_part, const std::string& signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::vector<std::string> stringOrList(const json& claims, const std::string& name) {
  std::vector<std::string> out;
  auto it = claims.find(name);
  if (it == claims.end()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

// A NumericDate (RFC 7519 §2) as whole seconds; nullopt when it is not a number or lies
// outside what a UtcTime holds: converting 1e300 or 2^63 to an integer, or such seconds to a
// time point, is undefined behaviour (found by the HTTP fuzz target, which signs its claims).
std::optional<long long> numericDate(const json& value) {
  if (!value.is_number()) return std::nullopt;
  const double seconds = value.get<double>();
  constexpr double kEarliest = static_cast<double>(kMinUtcEpochMs / 1000);
  constexpr double kLatest = static_cast<double>(kMaxUtcEpochMs / 1000);
  if (!(seconds >= kEarliest && seconds <= kLatest)) return std::nullopt;  // NaN fails too
  return static_cast<long long>(seconds);
}

}  // namespace

struct JwtVerifier::Keys {
  std::vector<Key> keys;
};

JwtVerifier::JwtVerifier(std::unique_ptr<Keys> keys, JwtExpectations expectations)
    : keys_(std::move(keys)), expectations_(std::move(expectations)) {}
JwtVerifier::~JwtVerifier() = default;

std::size_t JwtVerifier::keyCount() const { return keys_->keys.size(); }

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::fromJwks(std::string_view jwks_json,
                                                                 JwtExpectations expectations) {
  json document = json::parse(jwks_json, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("keys") ||
      !document["keys"].is_array()) {
    return invalid("the JWKS is not a JSON object with a \"keys\" list");
  }
  auto keys = std::make_unique<Keys>();
  std::string skipped;
  for (const json& jwk : document["keys"]) {
    if (!jwk.is_object()) continue;
    // Keys meant for encryption only are not for us.
    if (auto use = jsonString(jwk, "use"); use && *use != "sig") continue;
    auto kty = jsonString(jwk, "kty").value_or("");
    Result<Pkey> pkey = kty == "RSA"  ? rsaKey(jwk)
                        : kty == "EC" ? ecKey(jwk)
                                      : Result<Pkey>(invalid("key type '" + kty + "' unsupported"));
    if (!pkey) {
      skipped += (skipped.empty() ? "" : "; ") + pkey.error().message;
      continue;
    }
    keys->keys.push_back(Key{jsonString(jwk, "kid").value_or(""),
                             kty == "RSA" ? KeyType::Rsa : KeyType::Ec, std::move(pkey.value())});
  }
  if (keys->keys.empty()) {
    return invalid("the JWKS has no usable RS256/ES256 signing key" +
                   (skipped.empty() ? std::string() : " (" + skipped + ")"));
  }
  return std::shared_ptr<const JwtVerifier>(new JwtVerifier(std::move(keys), std::move(expectations)));
}

Result<std::shared_ptr<const JwtVerifier>> JwtVerifier::fromJwksFile(
    const std::filesystem::path& file, JwtExpectations expectations) {
  std::ifstream in(file);
  if (!in) return invalid("cannot read the JWKS file " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  auto verifier = fromJwks(text.str(), std::move(expectations));
  if (!verifier) return invalid(verifier.error().message + " (" + file.string() + ")");
  return verifier;
}

Result<VerifiedJwt> JwtVerifier::verify(std::string_view token, UtcTime now) const {
  if (token.size() > kMaxTokenBytes) return rejected("token too long");
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return rejected("not a signed JWT (three dot-separated parts)");
  }
  auto header_text = base64UrlDecode(token.substr(0, first));
  auto payload_text = base64UrlDecode(token.substr(first + 1, second - first - 1));
  auto signature = base64UrlDecode(token.substr(second + 1));
  if (!header_text || !payload_text || !signature) return rejected("a JWT part is not base64url");
  json header = json::parse(*header_text, nullptr, false);
  json claims = json::parse(*payload_text, nullptr, false);
  if (!header.is_object() || !claims.is_object()) return rejected("a JWT part is not a JSON object");

  const std::string alg = jsonString(header, "alg").value_or("");
  KeyType wanted;
  if (alg == "RS256") {
    wanted = KeyType::Rsa;
  } else if (alg == "ES256") {
    wanted = KeyType::Ec;
    auto der = joseToDer(*signature);
    if (!der) return rejected("ES256 signature must be 64 bytes");
    *signature = std::move(*der);
  } else {
    return rejected("JWT algorithm '" + alg + "' not accepted (RS256 or ES256 only)");
  }
  const std::optional<std::string> kid = jsonString(header, "kid");
  const std::string_view signed_part = token.substr(0, second);
  bool verified = false;
  for (const Key& key : keys_->keys) {
    if (key.type != wanted || (kid && !key.kid.empty() && key.kid != *kid)) continue;
    if (verifySignature(key.pkey.get(), signed_part, *signature)) {
      verified = true;
      break;
    }
  }
  if (!verified) return rejected("JWT signature does not verify with the issuer's keys");

  if (jsonString(claims, "iss") != expectations_.issuer) return rejected("JWT from another issuer");
  auto audiences = stringOrList(claims, "aud");
  if (std::find(audiences.begin(), audiences.end(), expectations_.audience) == audiences.end()) {
    return rejected("JWT for another audience");
  }
  const long long now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const long long leeway = expectations_.leeway.count();
  auto exp_claim = claims.find("exp");
  if (exp_claim == claims.end()) return rejected("JWT without expiry (exp)");
  auto exp = numericDate(*exp_claim);
  if (!exp) return rejected("JWT expiry (exp) is not a time");
  if (now_s > *exp + leeway) return rejected("JWT expired");
  if (auto nbf_claim = claims.find("nbf"); nbf_claim != claims.end()) {
    auto nbf = numericDate(*nbf_claim);
    if (!nbf) return rejected("JWT not-before (nbf) is not a time");
    if (now_s + leeway < *nbf) return rejected("JWT not valid yet (nbf)");
  }
  VerifiedJwt out;
  out.user = jsonString(claims, expectations_.user_claim.c_str()).value_or("");
  if (out.user.empty()) return rejected("JWT without the user claim '" + expectations_.user_claim + "'");
  out.roles = stringOrList(claims, expectations_.role_claim);
  out.sites = stringOrList(claims, expectations_.site_claim);
  out.reader_id = jsonString(claims, expectations_.reader_claim.c_str()).value_or("");
  out.expires_at = UtcTime(std::chrono::seconds(*exp));
  return out;
}

bool looksLikeJwt(std::string_view token) {
  std::size_t dots = 0;
  for (char c : token) {
    if (c == '.') {
      ++dots;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
  }
  return dots == 2;
}

}  // namespace sundial::adapters::tls
