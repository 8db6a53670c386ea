#pragma once
// Building a new message: an MSH from plain values, then segments set value by value
// (Message::appendSegment, Message::setValue), which escapes and converts every value.

#include "hl7/message/delimiters.h"
#include "hl7/message/message.h"
#include "hl7/message/segments.h"

namespace sundial::hl7 {

// A message holding only an MSH built from `header` (empty members stay empty; `charset`
// is written to MSH-18 as given and decides how later values are converted).
Message makeMessage(const MessageHeader& header, const Delimiters& delimiters = kDefaultDelimiters);

}  // namespace sundial::hl7
