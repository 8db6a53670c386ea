#pragma once
// SHA-256 content hashes (hex) that name versions: of a rule set, of a roster.

#include <string>
#include <string_view>

namespace sundial::rules {

// Feeds parts into one SHA-256; each part is length-prefixed, so ("ab","c") != ("a","bc").
class ContentHash {
 public:
  ContentHash();
  ~ContentHash();
  ContentHash(const ContentHash&) = delete;
  ContentHash& operator=(const ContentHash&) = delete;
  void add(std::string_view part);
  std::string hex();  // ends the hash

 private:
  void* context_;  // EVP_MD_CTX, kept out of the header
};

}  // namespace sundial::rules
