#pragma once
// Helpers for the mapping tests: corpus messages by manifest name, parsed.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hl7/message/message.h"
#include "hl7/message/split.h"
#include "tests/unit/hl7/corpus.h"

namespace sundial::hl7::mapping::testing {

// The first message of a corpus file, parsed (the file is read, never changed).
inline Message corpusMessage(const std::string& name) {
  static std::string keep;  // parseMessage copies; the text only has to live for the call
  keep = sundial::hl7::testing::readCorpusFile(name);
  SplitMessages split = splitMessages(keep);
  EXPECT_FALSE(split.messages.empty()) << name;
  auto parsed = parseMessage(split.messages.empty() ? std::string_view(keep) : split.messages[0]);
  EXPECT_TRUE(parsed.ok()) << name;
  return std::move(parsed).value();
}

// A message from segments joined by CR.
inline Message messageOf(std::initializer_list<std::string> segments) {
  std::string text;
  for (const auto& s : segments) text += s + "\r";
  auto parsed = parseMessage(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return std::move(parsed).value();
}

// A segment with the given fields set by number (HL7 numbering), the rest empty: no
// counting of bars in tests.
inline std::string segment(const std::string& id, std::initializer_list<std::pair<int, std::string>> fields) {
  int last = 0;
  for (const auto& [n, v] : fields) last = std::max(last, n);
  std::vector<std::string> values(last + 1);
  for (const auto& [n, v] : fields) values[n] = v;
  std::string text = id;
  for (int n = 1; n <= last; ++n) text += "|" + values[n];
  return text;
}

}  // namespace sundial::hl7::mapping::testing
