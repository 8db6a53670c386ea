#include "hl7/mapping/hl7_time.h"

#include <chrono>
#include <string>

namespace sundial::hl7::mapping {
namespace {

bool allDigits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

Error badTime(std::string_view text, std::string_view field, std::string_view why) {
  return makeError(ErrorCode::InvalidInput,
                   std::string(field) + " '" + std::string(text.substr(0, 40)) +
                       "' is not an HL7 date/time: " + std::string(why));
}

// Digits "YYYY[MM[DD[HH[MM[SS]]]]]" and an optional fraction, as a wall-clock instant.
Result<UtcTime> civil(std::string_view digits, std::string_view fraction, std::string_view text,
                      std::string_view field) {
  const size_t n = digits.size();
  if (n < 4 || n > 14 || n % 2 != 0 || !allDigits(digits)) {
    return badTime(text, field, "expected YYYY[MM[DD[HH[MM[SS]]]]]");
  }
  const int year = number(digits.substr(0, 4));
  const unsigned month = n >= 6 ? number(digits.substr(4, 2)) : 1;
  const unsigned day = n >= 8 ? number(digits.substr(6, 2)) : 1;
  const int hour = n >= 10 ? number(digits.substr(8, 2)) : 0;
  const int minute = n >= 12 ? number(digits.substr(10, 2)) : 0;
  const int second = n >= 14 ? number(digits.substr(12, 2)) : 0;
  const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok()) return badTime(text, field, "no such date");
  if (hour > 23 || minute > 59 || second > 60) return badTime(text, field, "no such time");
  if (!allDigits(fraction)) return badTime(text, field, "bad fraction of a second");
  long long ms = 0;
  for (size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  return UtcTime(std::chrono::sys_days(date)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second) +
         std::chrono::milliseconds(ms);
}

}  // namespace

Result<UtcTime> parseHl7Time(std::string_view text, std::string_view field) {
  std::string_view rest = text;
  // Some senders pad with spaces; the value itself has none.
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty()) return badTime(text, field, "empty");
  std::chrono::minutes offset{0};
  if (size_t sign = rest.find_first_of("+-"); sign != std::string_view::npos) {
    std::string_view zone = rest.substr(sign + 1);
    if (zone.size() != 4 || !allDigits(zone)) return badTime(text, field, "bad time zone");
    offset = std::chrono::hours(number(zone.substr(0, 2))) +
             std::chrono::minutes(number(zone.substr(2, 2)));
    if (rest[sign] == '-') offset = -offset;
    rest = rest.substr(0, sign);
  }
  std::string_view fraction;
  if (size_t dot = rest.find('.'); dot != std::string_view::npos) {
    fraction = rest.substr(dot + 1);
    rest = rest.substr(0, dot);
  }
  auto local = civil(rest, fraction, text, field);
  if (!local) return local;
  return local.value() - offset;
}

}  // namespace sundial::hl7::mapping
