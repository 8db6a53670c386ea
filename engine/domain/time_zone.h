#pragma once
// TimeZone: UTC instants to a place's wall-clock time, from the system's IANA database
// (/usr/share/zoneinfo, TZif files). GCC 12 has no C++20 time-zone database, so this is the
// one time-zone interface (STYLE.md §5): used by rules (a site's or a reader's local time) and
// by the configuration (checking zone names).
//
// Only the 64-bit transition table is read. Debian's files are "fat" (transitions listed up to
// 2037); after the last transition the last offset is kept (the POSIX footer is not read).
//
// Thread: loaded zones are immutable and cached for the life of the process; load() and every
// const method are safe from any thread.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial {

// A wall-clock reading in some time zone.
struct LocalTime {
  int year = 1970;
  int month = 1;    // 1-12
  int day = 1;      // 1-31
  int hour = 0;     // 0-23
  int minute = 0;   // 0-59
  int second = 0;   // 0-59
  int weekday = 4;  // 0 = Sunday ... 6 = Saturday
  int utc_offset_minutes = 0;

  int minuteOfDay() const { return hour * 60 + minute; }
  // "2026-11-30T18:05:00-06:00"
  std::string describe() const;
};

class TimeZone {
 public:
  // The zone named `name` ("America/Chicago", "UTC"). NotFound when the database has no such
  // zone, InvalidInput when the name is malformed or the file is not a TZif file.
  [[nodiscard]] static Result<std::shared_ptr<const TimeZone>> load(std::string_view name);
  // Folder of the database; tests may point it elsewhere before the first load.
  static void setDatabaseFolderForTest(std::filesystem::path folder);

  const std::string& name() const { return name_; }
  std::chrono::seconds offsetAt(UtcTime t) const;
  LocalTime localTime(UtcTime t) const;

  // Built by load(); public for std::make_shared.
  struct Transition {
    std::int64_t at_s;        // UTC seconds since the epoch
    std::int32_t offset_s;    // offset from that moment on
  };
  TimeZone(std::string name, std::int32_t initial_offset_s, std::vector<Transition> transitions)
      : name_(std::move(name)),
        initial_offset_s_(initial_offset_s),
        transitions_(std::move(transitions)) {}

 private:
  std::string name_;
  std::int32_t initial_offset_s_ = 0;
  std::vector<Transition> transitions_;  // ascending by at_s
};

// The wall-clock time of `t` at UTC offset `offset`.
LocalTime localTimeAtOffset(UtcTime t, std::chrono::seconds offset);

}  // namespace sundial
