#pragma once
// Taking a stream of HL7 text apart: several messages back to back, FHS/BHS batches, MLLP
// framing left in a file. Pure; the pieces are views into the caller's text.

#include <string_view>
#include <vector>

namespace sundial::hl7 {

struct SplitMessages {
  // Each message from its MSH up to the next message, batch segment or MLLP byte, with its
  // own segment terminators: parseMessage() takes each as it is.
  std::vector<std::string_view> messages;
  // FHS, BHS, BTS and FTS segments, in order, without terminators.
  std::vector<std::string_view> batch_segments;
  // Non-blank lines outside any message (before the first MSH): reported, never dropped
  // silently.
  std::vector<std::string_view> stray_lines;
};

SplitMessages splitMessages(std::string_view stream);

}  // namespace sundial::hl7
