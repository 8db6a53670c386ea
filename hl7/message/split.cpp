#include "hl7/message/split.h"

namespace sundial::hl7 {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr char kMllpStart = '\x0B';
constexpr char kMllpEnd = '\x1C';

bool isBatchSegment(std::string_view line) {
  const std::string_view id = line.substr(0, 3);
  return (id == "FHS" || id == "BHS" || id == "BTS" || id == "FTS") &&
         (line.size() == 3 || !((line[3] >= 'A' && line[3] <= 'Z') || (line[3] >= '0' && line[3] <= '9')));
}

bool isMessageHeader(std::string_view line) {
  return line.substr(0, 3) == "MSH" && line.size() > 3;
}

bool isBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\0') return false;
  }
  return true;
}

}  // namespace

SplitMessages splitMessages(std::string_view stream) {
  SplitMessages out;
  std::size_t pos = stream.substr(0, kByteOrderMark.size()) == kByteOrderMark
                        ? kByteOrderMark.size()
                        : 0;
  std::size_t message_start = std::string_view::npos;
  const auto close = [&](std::size_t at) {
    if (message_start != std::string_view::npos) {
      out.messages.push_back(stream.substr(message_start, at - message_start));
    }
    message_start = std::string_view::npos;
  };
  while (pos < stream.size()) {
    const std::size_t line_start = pos;
    std::size_t content = pos;
    while (content < stream.size() &&
           (stream[content] == kMllpStart || stream[content] == kMllpEnd)) {
      ++content;
    }
    std::size_t end = content;
    while (end < stream.size() && stream[end] != '\r' && stream[end] != '\n') ++end;
    const std::string_view line = stream.substr(content, end - content);
    pos = end;
    while (pos < stream.size() && (stream[pos] == '\r' || stream[pos] == '\n')) ++pos;

    if (content > line_start) close(line_start);  // an MLLP byte ends any message
    if (isMessageHeader(line)) {
      close(content);
      message_start = content;
      continue;
    }
    if (isBatchSegment(line)) {
      close(content);
      out.batch_segments.push_back(line);
      continue;
    }
    if (message_start == std::string_view::npos && !isBlank(line)) {
      out.stray_lines.push_back(line);
    }
  }
  close(stream.size());
  return out;
}

}  // namespace sundial::hl7
