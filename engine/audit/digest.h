#pragma once
// The cryptographic primitives the audit trail needs (OpenSSL stays inside digest.cpp):
// SHA-256 for the hash chain, HMAC-SHA256 for the anchors, random bytes for a new key.
// Pure functions, safe from any thread.

#include <string>
#include <string_view>

namespace sundial::engine::audit {

// Lower-case hex of SHA-256(data): 64 characters.
std::string sha256Hex(std::string_view data);

// Lower-case hex of HMAC-SHA256(key, data): 64 characters.
std::string hmacSha256Hex(std::string_view key, std::string_view data);

// `count` bytes from OpenSSL's CSPRNG; empty when it fails (never silently weak).
std::string randomBytes(std::size_t count);

std::string toHex(std::string_view bytes);
// Empty when `hex` is not an even number of hex digits.
std::string fromHex(std::string_view hex);

// Compares without leaking where two MACs differ.
bool constantTimeEqual(std::string_view a, std::string_view b);

}  // namespace sundial::engine::audit
