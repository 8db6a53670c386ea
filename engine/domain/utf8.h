#pragma once
// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing past U+10FFFF. One
// definition for every place that checks or cleans text from sites (DICOM headers, JSON out).

#include <cstddef>
#include <string_view>

namespace sundial {

struct Utf8Step {
  std::size_t length;  // bytes of the sequence at `at`, or of its longest valid start
  bool valid;
};

// The sequence starting at `at` (< text.size()). An ill-formed one reports its maximal valid
// prefix (at least one byte), so a cleaner replaces it with one U+FFFD, as Unicode advises.
Utf8Step utf8Step(std::string_view text, std::size_t at);

bool isValidUtf8(std::string_view text);

}  // namespace sundial
