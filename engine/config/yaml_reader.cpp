#include "engine/config/yaml_reader.h"

namespace sundial::config::detail {

// AE titles: 1-16 characters of the default repertoire, no backslash or control characters,
// not all spaces (PS3.5 6.2).
bool isValidAeTitle(const std::string& ae) {
  if (ae.empty() || ae.size() > 16) return false;
  bool has_non_space = false;
  for (unsigned char c : ae) {
    if (c < 0x20 || c > 0x7e || c == '\\') return false;
    if (c != ' ') has_non_space = true;
  }
  return has_non_space;
}

// Names are used in Redis keys, metrics labels and file names.
bool isValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace sundial::config::detail
