#include "hl7/message/charset.h"

#include <cstdint>

namespace sundial::hl7 {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string upperTrimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Length of the valid UTF-8 sequence starting at bytes[i], or 0 if it is not one.
std::size_t utf8SequenceLength(std::string_view bytes, std::size_t i) {
  const auto b0 = static_cast<std::uint8_t>(bytes[i]);
  if (b0 < 0x80) return 1;
  std::size_t length = 0;
  std::uint8_t low = 0x80;
  std::uint8_t high = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    if (b0 == 0xE0) low = 0xA0;
    if (b0 == 0xED) high = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    if (b0 == 0xF0) low = 0x90;
    if (b0 == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > bytes.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto b = static_cast<std::uint8_t>(bytes[i + k]);
    const std::uint8_t lo = k == 1 ? low : 0x80;
    const std::uint8_t hi = k == 1 ? high : 0xBF;
    if (b < lo || b > hi) return 0;
  }
  return length;
}

void appendLatin1(std::string_view bytes, std::string& out) {
  for (char c : bytes) {
    const auto b = static_cast<std::uint8_t>(c);
    if (b < 0x80) {
      out.push_back(c);
      continue;
    }
    out.push_back(static_cast<char>(0xC0 | (b >> 6)));
    out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
  }
}

void appendReplacingInvalid(std::string_view bytes, std::string& out) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t length = utf8SequenceLength(bytes, i);
    if (length == 0) {
      out.append(kReplacement);
      ++i;
      continue;
    }
    out.append(bytes.substr(i, length));
    i += length;
  }
}

bool isAscii(std::string_view bytes) {
  for (char c : bytes) {
    if (static_cast<std::uint8_t>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

Charset charsetFromName(std::string_view msh18) {
  const std::string name = upperTrimmed(msh18);
  if (name.empty()) return Charset::Unspecified;
  if (name == "ASCII" || name == "US-ASCII") return Charset::Ascii;
  if (name == "8859/1" || name == "ISO-8859-1" || name == "ISO8859-1" || name == "ISO_IR 100" ||
      name == "LATIN1") {
    return Charset::Latin1;
  }
  if (name == "UNICODE UTF-8" || name == "UTF-8" || name == "UTF8" || name == "ISO_IR 192") {
    return Charset::Utf8;
  }
  return Charset::Other;
}

std::string_view charsetName(Charset charset) {
  switch (charset) {
    case Charset::Ascii: return "ASCII";
    case Charset::Latin1: return "8859/1";
    case Charset::Utf8: return "UNICODE UTF-8";
    case Charset::Unspecified:
    case Charset::Other: return "";
  }
  return "";
}

bool isValidUtf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t length = utf8SequenceLength(bytes, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string toUtf8(std::string_view bytes, Charset charset) {
  if (isAscii(bytes)) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 2);
  switch (charset) {
    case Charset::Utf8:
      appendReplacingInvalid(bytes, out);
      return out;
    case Charset::Latin1:
    case Charset::Ascii:
    case Charset::Unspecified:
      if (isValidUtf8(bytes)) return std::string(bytes);
      appendLatin1(bytes, out);
      return out;
    case Charset::Other:
      appendReplacingInvalid(bytes, out);
      return out;
  }
  return out;
}

std::string fromUtf8(std::string_view utf8, Charset charset) {
  if (charset != Charset::Latin1 && charset != Charset::Ascii) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size());
  std::size_t i = 0;
  while (i < utf8.size()) {
    const std::size_t length = utf8SequenceLength(utf8, i);
    if (length == 1) {
      out.push_back(utf8[i]);
    } else if (length == 2 && charset == Charset::Latin1 &&
               static_cast<std::uint8_t>(utf8[i]) <= 0xC3) {
      const auto b0 = static_cast<std::uint8_t>(utf8[i]);
      const auto b1 = static_cast<std::uint8_t>(utf8[i + 1]);
      out.push_back(static_cast<char>(((b0 & 0x1F) << 6) | (b1 & 0x3F)));
    } else {
      out.push_back('?');
    }
    i += length == 0 ? 1 : length;
  }
  return out;
}

}  // namespace sundial::hl7
