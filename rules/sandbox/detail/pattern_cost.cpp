#include "rules/sandbox/detail/pattern_cost.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace sundial::rules::detail {
namespace {

constexpr char kEscape = '%';
constexpr const char* kSpecials = "^$*+?.([%-";

// Whether `c` belongs to the class letter `cls` (%a, %d, ...; upper case negates). The <cctype>
// functions are the ones Lua's matcher uses, in the same process and locale.
bool matchesClassLetter(unsigned char c, unsigned char cls) {
  bool result = false;
  switch (std::tolower(cls)) {
    case 'a': result = std::isalpha(c) != 0; break;
    case 'c': result = std::iscntrl(c) != 0; break;
    case 'd': result = std::isdigit(c) != 0; break;
    case 'g': result = std::isgraph(c) != 0; break;
    case 'l': result = std::islower(c) != 0; break;
    case 'p': result = std::ispunct(c) != 0; break;
    case 's': result = std::isspace(c) != 0; break;
    case 'u': result = std::isupper(c) != 0; break;
    case 'w': result = std::isalnum(c) != 0; break;
    case 'x': result = std::isxdigit(c) != 0; break;
    default: return cls == c;
  }
  return std::isupper(cls) != 0 ? !result : result;
}

// End (one past) of the set starting at p[i] == '[', or npos when unfinished.
std::size_t setEnd(std::string_view p, std::size_t i) {
  ++i;
  if (i < p.size() && p[i] == '^') ++i;
  do {
    if (i >= p.size()) return std::string_view::npos;
    if (p[i] == kEscape) {
      if (i + 1 >= p.size()) return std::string_view::npos;
      i += 2;
    } else {
      ++i;
    }
  } while (i >= p.size() || p[i] != ']');
  return i + 1;
}

bool matchesSet(unsigned char c, std::string_view set) {  // set includes the brackets
  std::size_t i = 1;
  bool negate = false;
  if (set[i] == '^') {
    negate = true;
    ++i;
  }
  const std::size_t end = set.size() - 1;
  for (; i < end; ++i) {
    if (set[i] == kEscape && i + 1 < end) {
      ++i;
      if (matchesClassLetter(c, static_cast<unsigned char>(set[i]))) return !negate;
    } else if (i + 2 < end && set[i + 1] == '-') {
      if (static_cast<unsigned char>(set[i]) <= c && c <= static_cast<unsigned char>(set[i + 2])) {
        return !negate;
      }
      i += 2;
    } else if (static_cast<unsigned char>(set[i]) == c) {
      return !negate;
    }
  }
  return negate;
}

bool matchesItem(unsigned char c, std::string_view item) {
  if (item[0] == '.') return true;
  if (item[0] == kEscape) return matchesClassLetter(c, static_cast<unsigned char>(item[1]));
  if (item[0] == '[') return matchesSet(c, item);
  return static_cast<unsigned char>(item[0]) == c;
}

double longestRun(std::string_view subject, std::string_view item) {
  std::size_t best = 0;
  std::size_t run = 0;
  for (const char ch : subject) {
    run = matchesItem(static_cast<unsigned char>(ch), item) ? run + 1 : 0;
    best = std::max(best, run);
  }
  return static_cast<double>(best);
}

}  // namespace

double patternCost(PatternCall call, std::string_view subject, std::string_view pattern,
                   std::size_t start, bool plain) {
  subject = subject.substr(std::min(start, subject.size()));
  const auto n = static_cast<double>(subject.size());
  const auto m = static_cast<double>(std::max<std::size_t>(pattern.size(), 1));
  const bool no_specials = pattern.find_first_of(kSpecials) == std::string_view::npos &&
                           pattern.find('\0') == std::string_view::npos;
  if (call == PatternCall::Find && (plain || no_specials)) return (n + 1) * m;

  std::size_t i = 0;
  // gmatch does not anchor (a caret there would stop the iteration after one match).
  const bool anchored = call != PatternCall::Gmatch && !pattern.empty() && pattern[0] == '^';
  if (anchored) i = 1;
  double alternatives = 1;   // product over quantified items
  double linear_items = 0;   // %b and back-references: each scans up to the whole subject
  double scanned = n;        // the estimate's own work
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '(' || c == ')') {
      ++i;
      continue;
    }
    if (c == '$' && i + 1 == pattern.size()) break;
    std::size_t end = i + 1;
    if (c == kEscape) {
      if (i + 1 >= pattern.size()) return 0;
      const char next = pattern[i + 1];
      if (next == 'b') {
        if (i + 3 >= pattern.size()) return 0;
        linear_items += 1;
        i += 4;
        continue;
      }
      if (next == 'f') {
        if (i + 2 >= pattern.size() || pattern[i + 2] != '[') return 0;
        const std::size_t set_end = setEnd(pattern, i + 2);
        if (set_end == std::string_view::npos) return 0;
        i = set_end;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(next)) != 0) {
        linear_items += 1;
        i += 2;
        continue;
      }
      end = i + 2;
    } else if (c == '[') {
      end = setEnd(pattern, i);
      if (end == std::string_view::npos) return 0;
    }
    const std::string_view item = pattern.substr(i, end - i);
    if (end < pattern.size() && std::strchr("*+-", pattern[end]) != nullptr) {
      alternatives *= 1 + longestRun(subject, item);
      scanned += n;
      ++end;
    } else if (end < pattern.size() && pattern[end] == '?') {
      alternatives *= 2;
      ++end;
    }
    i = end;
  }
  const double starts = anchored ? 1 : n + 1;
  return starts * alternatives * (m + n * linear_items) + scanned;
}

}  // namespace sundial::rules::detail
