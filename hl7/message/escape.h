#pragma once
// HL7 v2 escape sequences (\F\ \S\ \T\ \R\ \E\ \P\ \Xhh..\ \.br\), both ways.
// Pure functions on text; the charset of the bytes is not touched here (see charset.h).

#include <string>
#include <string_view>

#include "hl7/message/delimiters.h"

namespace sundial::hl7 {

// Replaces the escape sequences this engine understands by what they stand for:
// \F\ \S\ \T\ \R\ \E\ \P\ become the message's own delimiters, \Xhh..\ the bytes it spells
// (still in the message's charset), \.br\ a line feed. Every other sequence (such as \H\,
// \N\, \.sp\, \Cxxyy\, \Zxx\) and an escape character with no closing one are kept as
// they are.
std::string decodeEscapes(std::string_view encoded, const Delimiters& delimiters);

// The reverse: every delimiter and escape character in `text` becomes its escape sequence,
// a line feed becomes \.br\ (CR LF too) and a lone CR \X0D\, so that the result is safe
// inside one subcomponent.
std::string encodeEscapes(std::string_view text, const Delimiters& delimiters);

}  // namespace sundial::hl7
