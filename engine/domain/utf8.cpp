#include "engine/domain/utf8.h"

namespace sundial {

Utf8Step utf8Step(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return {1, true};
  std::size_t n = 0;
  unsigned char second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    if (lead == 0xE0) second_min = 0xA0;  // no overlong forms
    if (lead == 0xED) second_max = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;  // nothing past U+10FFFF
  } else {
    return {1, false};
  }
  std::size_t length = 1;
  for (; length < n && at + length < text.size(); ++length) {
    const unsigned char c = byte(at + length);
    const bool fits = length == 1 ? (c >= second_min && c <= second_max) : (c & 0xC0) == 0x80;
    if (!fits) break;
  }
  return {length, length == n};
}

bool isValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const Utf8Step step = utf8Step(text, i);
    if (!step.valid) return false;
    i += step.length;
  }
  return true;
}

}  // namespace sundial
