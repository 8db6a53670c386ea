#pragma once
// Secrets and digests from OpenSSL: random tokens, SHA-256, constant-time comparison.
// Safe from any thread.

#include <string>
#include <string_view>

#include "engine/domain/result.h"

namespace sundial::adapters::tls {

// `bytes` random bytes from the OS-seeded CSPRNG, as base64url (no padding).
// Internal when the generator fails (it should not on a healthy system).
Result<std::string> randomToken(std::size_t bytes = 32);
// Raw random bytes.
Result<std::string> randomBytes(std::size_t bytes);
// SHA-256 of `data` as 64 lower-case hex digits.
std::string sha256Hex(std::string_view data);
// Equal in time independent of where the first difference is (lengths may leak).
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace sundial::adapters::tls
