#include "hl7/message/escape.h"

#include <optional>

namespace sundial::hl7 {
namespace {

std::optional<int> hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return std::nullopt;
}

// Appends the bytes spelled by `hex` (pairs of hex digits); false, appending nothing, if it
// is not an even run of hex digits.
bool appendHexBytes(std::string_view hex, std::string& out) {
  if (hex.empty() || hex.size() % 2 != 0) return false;
  for (std::size_t i = 0; i < hex.size(); ++i) {
    if (!hexDigit(hex[i])) return false;
  }
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(*hexDigit(hex[i]) * 16 + *hexDigit(hex[i + 1])));
  }
  return true;
}

// Appends what one escape body (the text between the escape characters) stands for; false
// when the body is not one this engine decodes, so the caller keeps it verbatim.
bool appendDecoded(std::string_view body, const Delimiters& d, std::string& out) {
  if (body.size() == 1) {
    switch (body[0]) {
      case 'F': out.push_back(d.field); return true;
      case 'S': out.push_back(d.component); return true;
      case 'T': out.push_back(d.subcomponent); return true;
      case 'R': out.push_back(d.repetition); return true;
      case 'E': out.push_back(d.escape); return true;
      case 'P':
        if (d.truncation == '\0') return false;
        out.push_back(d.truncation);
        return true;
      default: return false;
    }
  }
  if (body == ".br") {
    out.push_back('\n');
    return true;
  }
  if (body[0] == 'X') return appendHexBytes(body.substr(1), out);
  return false;
}

}  // namespace

std::string decodeEscapes(std::string_view encoded, const Delimiters& delimiters) {
  std::string out;
  out.reserve(encoded.size());
  std::size_t i = 0;
  while (i < encoded.size()) {
    const std::size_t start = encoded.find(delimiters.escape, i);
    if (start == std::string_view::npos) {
      out.append(encoded.substr(i));
      break;
    }
    out.append(encoded.substr(i, start - i));
    const std::size_t end = encoded.find(delimiters.escape, start + 1);
    if (end == std::string_view::npos) {
      // An escape character that is never closed: keep the rest as it is.
      out.append(encoded.substr(start));
      break;
    }
    const std::string_view body = encoded.substr(start + 1, end - start - 1);
    if (body.empty() || !appendDecoded(body, delimiters, out)) {
      out.append(encoded.substr(start, end - start + 1));
    }
    i = end + 1;
  }
  return out;
}

std::string encodeEscapes(std::string_view text, const Delimiters& delimiters) {
  std::string out;
  out.reserve(text.size() + 8);
  const char e = delimiters.escape;
  auto sequence = [&](std::string_view body) {
    out.push_back(e);
    out.append(body);
    out.push_back(e);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == delimiters.escape) {
      sequence("E");
    } else if (c == delimiters.field) {
      sequence("F");
    } else if (c == delimiters.component) {
      sequence("S");
    } else if (c == delimiters.subcomponent) {
      sequence("T");
    } else if (c == delimiters.repetition) {
      sequence("R");
    } else if (delimiters.truncation != '\0' && c == delimiters.truncation) {
      sequence("P");
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      sequence(".br");
      ++i;
    } else if (c == '\n') {
      sequence(".br");
    } else if (c == '\r') {
      sequence("X0D");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace sundial::hl7
