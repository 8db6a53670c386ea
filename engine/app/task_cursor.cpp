#include "engine/app/task_cursor.h"

#include <charconv>

namespace sundial::app {

std::string taskCursor(const worklist::TaskPosition& p) {
  return std::string(orderPriorityName(p.priority)) + ":" + std::to_string(toEpochMs(p.due)) + ":" +
         p.id;
}

std::string taskCursorAfter(const worklist::Task& last) { return taskCursor(positionOf(last)); }

worklist::TaskPosition positionOf(const worklist::Task& task) {
  return {task.priority, task.due, task.id};
}

std::optional<worklist::TaskPosition> parseTaskCursor(const std::string& text) {
  const std::size_t first = text.find(':');
  if (first == std::string::npos) return std::nullopt;
  const std::size_t second = text.find(':', first + 1);
  if (second == std::string::npos) return std::nullopt;
  auto priority = worklist::parsePriority(text.substr(0, first));
  if (!priority) return std::nullopt;
  long long due_ms = 0;
  const char* begin = text.data() + first + 1;
  const char* end = text.data() + second;
  auto [ptr, ec] = std::from_chars(begin, end, due_ms);
  if (ec != std::errc() || ptr != end || due_ms < 0) return std::nullopt;
  std::string id = text.substr(second + 1);
  // Task ids are key-safe names (letters, digits, '_', '-', '.').
  if (id.empty() || id.size() > 128) return std::nullopt;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return std::nullopt;
  }
  return worklist::TaskPosition{*priority, fromEpochMs(due_ms), std::move(id)};
}

}  // namespace sundial::app
