#pragma once
// Base64 (RFC 4648 §4) and base64url without padding (§5, as JWTs and our tokens use it).
// Pure functions; safe from any thread.

#include <optional>
#include <string>
#include <string_view>

namespace sundial::adapters::tls {

std::string base64Encode(std::string_view bytes);
std::string base64UrlEncode(std::string_view bytes);  // no '=' padding
// std::nullopt for a character outside the alphabet or an impossible length. Padding is
// optional in both.
std::optional<std::string> base64Decode(std::string_view text);
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace sundial::adapters::tls
