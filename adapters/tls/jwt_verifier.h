#pragma once
// Verifies bearer JWTs from an OpenID Connect issuer (RFC 7519/7515): RS256 or ES256 only,
// signature checked with OpenSSL against the issuer's keys (a JWKS document, RFC 7517), then
// issuer, audience, expiry and not-before. "none", HMAC and any other algorithm are refused,
// as is a key whose type does not fit the token's algorithm (no algorithm confusion).
// Immutable after construction; verify() is safe from any thread.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::adapters::tls {

struct JwtExpectations {
  std::string issuer;    // the "iss" a token must carry, exactly
  std::string audience;  // must appear in "aud" (a string or a list)
  std::chrono::seconds leeway{60};  // clock skew allowed on exp and nbf
  std::string user_claim = "sub";             // who the caller is
  std::string role_claim = "roles";           // a string or list of strings
  std::string site_claim = "sundial_sites";   // site viewer: the sites (string or list)
  std::string reader_claim = "sundial_reader";  // reader: their roster id
};

struct VerifiedJwt {
  std::string user;
  std::vector<std::string> roles;  // as the issuer names them (mapping is the caller's)
  std::vector<std::string> sites;
  std::string reader_id;
  UtcTime expires_at{};
};

class JwtVerifier {
 public:
  // InvalidInput naming the problem: not JSON, no usable key, unsupported key type.
  static Result<std::shared_ptr<const JwtVerifier>> fromJwks(std::string_view jwks_json,
                                                             JwtExpectations expectations);
  static Result<std::shared_ptr<const JwtVerifier>> fromJwksFile(
      const std::filesystem::path& file, JwtExpectations expectations);
  ~JwtVerifier();

  // Rejected with a reason fit for the log (never the token itself) when the token is
  // malformed, forged, expired, not yet valid, or for another issuer or audience.
  Result<VerifiedJwt> verify(std::string_view token, UtcTime now) const;

  std::size_t keyCount() const;

 private:
  struct Keys;
  JwtVerifier(std::unique_ptr<Keys> keys, JwtExpectations expectations);

  std::unique_ptr<Keys> keys_;
  JwtExpectations expectations_;
};

// Whether the text has the shape of a JWS compact serialisation (three base64url parts).
bool looksLikeJwt(std::string_view token);

}  // namespace sundial::adapters::tls
