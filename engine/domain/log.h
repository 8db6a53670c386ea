#pragma once
// Structured logging: one `key=value` line per event, written atomically to stderr.
// Patient identity and DICOM UIDs go through identifying(), which masks them unless the
// configuration asks for identifying logs. Safe to call from any thread.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sundial::log {

enum class Level { Debug, Info, Warn, Error };

using Field = std::pair<std::string_view, std::string_view>;

void setMinimumLevel(Level level);
void setIdentifying(bool identifying);
bool identifyingEnabled();

// The value itself when identifying logs are enabled, otherwise a fixed mask.
std::string_view identifying(std::string_view value);

void write(Level level, std::string_view event, std::initializer_list<Field> fields);

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::Debug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::Info, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::Warn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::Error, event, fields);
}

// Quotes a value when it holds spaces, quotes or '=' so that lines stay machine-readable.
std::string formatValue(std::string_view value);

}  // namespace sundial::log
