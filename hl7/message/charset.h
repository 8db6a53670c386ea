#pragma once
// Character sets named by MSH-18 and the conversion of a decoded value to UTF-8.

#include <string>
#include <string_view>

namespace sundial::hl7 {

enum class Charset {
  Unspecified,  // MSH-18 empty: HL7 says ASCII; real senders often mean UTF-8
  Ascii,
  Latin1,  // "8859/1"
  Utf8,    // "UNICODE UTF-8"
  Other,   // named, but not one this engine converts
};

// The charset an MSH-18 value (its first repetition, first component) names.
Charset charsetFromName(std::string_view msh18);

// The MSH-18 name to write for a charset ("" for Unspecified and Other).
std::string_view charsetName(Charset charset);

// `bytes` (already unescaped) as UTF-8.
// - Utf8: kept; an invalid sequence becomes U+FFFD.
// - Latin1, Ascii, Unspecified: kept when the bytes are valid UTF-8 (plain ASCII is, and
//   senders often label UTF-8 text 8859/1 or nothing at all; Latin-1 text is almost never
//   valid UTF-8 by accident), otherwise read as ISO 8859-1.
// - Other: kept when valid UTF-8, otherwise each invalid byte becomes U+FFFD.
std::string toUtf8(std::string_view bytes, Charset charset);

// UTF-8 text in the message's charset, for writing: Latin1 and Ascii get '?' for what they
// cannot hold; the others are written as UTF-8.
std::string fromUtf8(std::string_view utf8, Charset charset);

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates).
bool isValidUtf8(std::string_view bytes);

}  // namespace sundial::hl7
