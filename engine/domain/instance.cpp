#include "engine/domain/instance.h"

namespace sundial {

bool isValidUid(const std::string& uid) {
  if (uid.empty() || uid.size() > 64) return false;
  if (uid.front() == '.' || uid.back() == '.') return false;
  char previous = 0;
  for (char c : uid) {
    bool digit = c >= '0' && c <= '9';
    if (!digit && c != '.') return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

}  // namespace sundial
