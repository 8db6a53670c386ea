#pragma once
// Parsing an HTTP request target into a normalised path and a decoded query.
// Pure functions: no I/O, safe from any thread.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/domain/result.h"

namespace sundial::adapters::http {

struct RequestTarget {
  std::string path;                          // starts with '/', decoded, no "." or empty segments
  std::map<std::string, std::string> query;  // decoded; the first of repeated keys wins
};

// Decodes %XX escapes; with plus_is_space (query strings), '+' becomes ' '.
// std::nullopt for a malformed escape ("%4", "%zz").
std::optional<std::string> percentDecode(std::string_view text, bool plus_is_space);

// Accepts origin form ("/a/b?x=1") and absolute form ("http://host/a/b?x=1").
// Each path segment is decoded, then "." and empty segments are dropped (a trailing '/' is
// kept). InvalidInput for: another form, a bad escape, a ".." segment (even encoded: "%2e%2e"),
// or a decoded segment holding '/' or NUL, which would let "a%2F..%2Fb" smuggle a "..".
Result<RequestTarget> parseRequestTarget(std::string_view target);

}  // namespace sundial::adapters::http
