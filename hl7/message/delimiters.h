#pragma once
// The five HL7 v2 delimiters of one message, as read from MSH-1 and MSH-2 (never assumed).

namespace sundial::hl7 {

struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = '\0';  // v2.7 MSH-2 fifth character; '\0' when the message has none

  // True when c separates something or starts an escape in this message.
  bool isSpecial(char c) const {
    return c == field || c == component || c == repetition || c == escape || c == subcomponent ||
           (truncation != '\0' && c == truncation);
  }
};

// The defaults HL7 recommends ("|^~\&"), used when building a new message.
inline constexpr Delimiters kDefaultDelimiters{};

}  // namespace sundial::hl7
