#include "engine/orders/study_time.h"

#include <chrono>
#include <string>

namespace sundial::engine {
namespace {

std::optional<int> digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::optional<UtcTime> parseDicomDateTime(std::string_view date, std::string_view time) {
  if (date.size() != 8) return std::nullopt;
  auto year = digits(date.substr(0, 4));
  auto month = digits(date.substr(4, 2));
  auto day = digits(date.substr(6, 2));
  if (!year || !month || !day) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*year),
                                        std::chrono::month(static_cast<unsigned>(*month)),
                                        std::chrono::day(static_cast<unsigned>(*day))};
  if (!ymd.ok()) return std::nullopt;

  std::string clock;
  std::string_view fraction;
  std::string_view t = time;
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (size_t dot = t.find('.'); dot != std::string_view::npos) {
    fraction = t.substr(dot + 1);
    t = t.substr(0, dot);
  }
  for (char c : t) {
    if (c != ':') clock.push_back(c);
  }
  if (clock.size() % 2 != 0 || clock.size() > 6) return std::nullopt;
  int parts[3] = {0, 0, 0};
  for (size_t i = 0; i * 2 < clock.size(); ++i) {
    auto part = digits(std::string_view(clock).substr(i * 2, 2));
    if (!part) return std::nullopt;
    parts[i] = *part;
  }
  if (parts[0] > 23 || parts[1] > 59 || parts[2] > 60) return std::nullopt;
  long long ms = 0;
  for (size_t i = 0; i < 3; ++i) {
    if (i < fraction.size() && (fraction[i] < '0' || fraction[i] > '9')) return std::nullopt;
    ms = ms * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  return UtcTime(std::chrono::sys_days(ymd)) + std::chrono::hours(parts[0]) +
         std::chrono::minutes(parts[1]) + std::chrono::seconds(parts[2]) +
         std::chrono::milliseconds(ms);
}

UtcTime studyTimeOf(const StudyFacts& facts) {
  if (auto at = parseDicomDateTime(facts.study_date, facts.study_time)) return *at;
  return facts.first_received_at;
}

}  // namespace sundial::engine
