#pragma once
// The keys of the security part's Redis areas (`session:`, `auth:`), built here only.
//
//   <prefix>:v1:session:<sha256 of token, hex>   hash   user, created_ms, expires_ms;
//                                                       expires with the session (PEXPIREAT)

#include <string>
#include <string_view>

namespace sundial::adapters::redis {

class SessionKeys {
 public:
  explicit SessionKeys(std::string_view prefix) : prefix_(prefix) {}
  // token_sha256 must be 64 hex digits (checked by the caller): no ':' can enter a key.
  std::string session(std::string_view token_sha256) const {
    return prefix_ + ":v1:session:" + std::string(token_sha256);
  }

 private:
  std::string prefix_;
};

}  // namespace sundial::adapters::redis
