#include "engine/domain/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace sundial::log {
namespace {

std::atomic<Level> g_minimum{Level::Info};
std::atomic<bool> g_identifying{false};
constexpr std::string_view kMask = "***";

std::string_view levelName(Level level) {
  switch (level) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return buffer;
}

}  // namespace

void setMinimumLevel(Level level) { g_minimum = level; }
void setIdentifying(bool identifying) { g_identifying = identifying; }
bool identifyingEnabled() { return g_identifying; }

std::string_view identifying(std::string_view value) {
  return g_identifying ? value : kMask;
}

std::string formatValue(std::string_view value) {
  bool needs_quotes = value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') needs_quotes = true;
  }
  if (!needs_quotes) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
  return out;
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (level < g_minimum.load(std::memory_order_relaxed)) return;
  std::string line = timestamp();
  line += " level=";
  line += levelName(level);
  line += " event=";
  line += event;
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    line += formatValue(value);
  }
  line += '\n';
  // One fwrite per line: stdio locks the stream, so lines from threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace sundial::log
