#pragma once
// Salted, memory-hard password hashes (scrypt, RFC 7914, from OpenSSL), stored as
//   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64>$<hash, base64>
// `sundial users hash-password` makes one; the configuration holds only these strings.
// Safe from any thread. One verification costs ~50-100 ms and 16-32 MiB: that is the point.

#include <string>
#include <string_view>

#include "engine/domain/result.h"

namespace sundial::adapters::tls {

struct ScryptParameters {
  int log2_n = 15;  // N = 32768: 32 MiB with r = 8 (OWASP's minimum is 2^17 at r=8,p=1 ... we
                    // take 2^15 so that a login stays below ~100 ms on a small node)
  int r = 8;
  int p = 1;
};

// A new hash with a fresh 16-byte salt.
Result<std::string> hashPassword(std::string_view password, ScryptParameters parameters = {});

// InvalidInput when `encoded` is not a well-formed hash of ours (a configuration mistake,
// not a wrong password); otherwise whether the password matches.
Result<bool> verifyPassword(std::string_view password, std::string_view encoded);

// Checks the format only (for start-up): InvalidInput naming what is wrong.
Result<void> checkPasswordHash(std::string_view encoded);

// The parameters a stored hash was made with.
Result<ScryptParameters> parametersOf(std::string_view encoded);

}  // namespace sundial::adapters::tls
