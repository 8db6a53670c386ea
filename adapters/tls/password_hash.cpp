#include "adapters/tls/password_hash.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdint>
#include <vector>

#include "adapters/tls/base64.h"
#include "adapters/tls/crypto_random.h"

namespace sundial::adapters::tls {
namespace {

constexpr std::string_view kPrefix = "$scrypt$";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
// Bounds on what a stored hash may ask for: a hostile or mistyped entry must not make a
// login take a minute or a gigabyte.
constexpr int kMinLog2N = 10;
constexpr int kMaxLog2N = 20;
constexpr int kMaxR = 32;
constexpr int kMaxP = 16;

struct Parsed {
  ScryptParameters parameters;
  std::string salt;
  std::string hash;
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool readInt(std::string_view text, std::string_view name, int& out) {
  if (!text.starts_with(name) || text.size() <= name.size() || text[name.size()] != '=') {
    return false;
  }
  text.remove_prefix(name.size() + 1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

Result<Parsed> parse(std::string_view encoded) {
  auto bad = [](std::string what) {
    return makeError(ErrorCode::InvalidInput, "not a scrypt password hash: " + what);
  };
  if (!encoded.starts_with(kPrefix)) return bad("it must start with $scrypt$");
  auto fields = split(encoded.substr(kPrefix.size()), '$');
  if (fields.size() != 3) return bad("expected $scrypt$ln=..,r=..,p=..$salt$hash");
  auto parameters = split(fields[0], ',');
  Parsed out;
  if (parameters.size() != 3 || !readInt(parameters[0], "ln", out.parameters.log2_n) ||
      !readInt(parameters[1], "r", out.parameters.r) ||
      !readInt(parameters[2], "p", out.parameters.p)) {
    return bad("parameters must read ln=<n>,r=<n>,p=<n>");
  }
  if (out.parameters.log2_n < kMinLog2N || out.parameters.log2_n > kMaxLog2N ||
      out.parameters.r < 1 || out.parameters.r > kMaxR || out.parameters.p < 1 ||
      out.parameters.p > kMaxP) {
    return bad("parameters out of range (ln 10-20, r 1-32, p 1-16)");
  }
  auto salt = base64Decode(fields[1]);
  auto hash = base64Decode(fields[2]);
  if (!salt || salt->size() < 8) return bad("the salt is not base64 of at least 8 bytes");
  if (!hash || hash->size() < 16) return bad("the hash is not base64 of at least 16 bytes");
  out.salt = std::move(*salt);
  out.hash = std::move(*hash);
  return out;
}

Result<std::string> derive(std::string_view password, std::string_view salt,
                           const ScryptParameters& p, std::size_t length) {
  std::string key(length, '\0');
  const std::uint64_t n = std::uint64_t{1} << p.log2_n;
  // scrypt needs 128 * r * N bytes (plus a little): allow twice that.
  const std::uint64_t max_memory = 2 * 128 * std::uint64_t(p.r) * n * std::uint64_t(p.p) +
                                   (std::uint64_t{1} << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n,
                     std::uint64_t(p.r), std::uint64_t(p.p), max_memory,
                     reinterpret_cast<unsigned char*>(key.data()), key.size()) != 1) {
    return makeError(ErrorCode::Internal, "scrypt failed (EVP_PBE_scrypt)");
  }
  return key;
}

}  // namespace

Result<std::string> hashPassword(std::string_view password, ScryptParameters parameters) {
  auto salt = randomBytes(kSaltBytes);
  if (!salt) return salt.error();
  auto key = derive(password, salt.value(), parameters, kHashBytes);
  if (!key) return key.error();
  return std::string(kPrefix) + "ln=" + std::to_string(parameters.log2_n) +
         ",r=" + std::to_string(parameters.r) + ",p=" + std::to_string(parameters.p) + "$" +
         base64Encode(salt.value()) + "$" + base64Encode(key.value());
}

Result<bool> verifyPassword(std::string_view password, std::string_view encoded) {
  auto parsed = parse(encoded);
  if (!parsed) return parsed.error();
  auto key = derive(password, parsed->salt, parsed->parameters, parsed->hash.size());
  if (!key) return key.error();
  return constantTimeEquals(key.value(), parsed->hash);
}

Result<ScryptParameters> parametersOf(std::string_view encoded) {
  auto parsed = parse(encoded);
  if (!parsed) return parsed.error();
  return parsed->parameters;
}

Result<void> checkPasswordHash(std::string_view encoded) {
  auto parsed = parse(encoded);
  if (!parsed) return parsed.error();
  return okResult();
}

}  // namespace sundial::adapters::tls
