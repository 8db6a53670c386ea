#include "engine/domain/time_zone.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

namespace sundial {
namespace {

std::mutex& cacheMutex() {
  static std::mutex mutex;
  return mutex;
}
// Guarded by cacheMutex(): zones loaded so far, and the database folder.
std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>>& cache() {
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> zones;
  return zones;
}
std::filesystem::path& databaseFolder() {
  static std::filesystem::path folder = "/usr/share/zoneinfo";
  return folder;
}

// Zone names are paths under the database folder: refuse anything that could leave it.
bool isSafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/') return false;
  if (name.find("..") != std::string_view::npos) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '/' || c == '_' || c == '-' || c == '+';
  });
}

std::int64_t readBigEndian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
  if (bytes == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return static_cast<std::int64_t>(v);
}

struct Counts {
  std::int64_t isut, isstd, leap, time, type, chars;
};

Counts readCounts(const unsigned char* header) {
  const unsigned char* c = header + 20;
  return {readBigEndian(c, 4),      readBigEndian(c + 4, 4),  readBigEndian(c + 8, 4),
          readBigEndian(c + 12, 4), readBigEndian(c + 16, 4), readBigEndian(c + 20, 4)};
}

std::int64_t blockSize(const Counts& n, int time_bytes) {
  return n.time * time_bytes + n.time + n.type * 6 + n.chars + n.leap * (time_bytes + 4) +
         n.isstd + n.isut;
}

constexpr std::size_t kHeaderSize = 44;

// Parses a TZif file (RFC 8536), preferring the version 2+ 64-bit block.
Result<std::shared_ptr<const TimeZone>> parseTzif(std::string name,
                                                  const std::vector<unsigned char>& data) {
  auto bad = [&](const char* why) {
    return makeError(ErrorCode::InvalidInput, "time zone '" + name + "': " + why);
  };
  if (data.size() < kHeaderSize || std::string_view(reinterpret_cast<const char*>(data.data()), 4) != "TZif") {
    return bad("not a TZif file");
  }
  Counts n = readCounts(data.data());
  std::size_t at = kHeaderSize;
  int time_bytes = 4;
  if (data[4] >= '2') {
    const std::int64_t skip = blockSize(n, 4);
    if (skip < 0 || at + static_cast<std::size_t>(skip) + kHeaderSize > data.size()) return bad("truncated");
    at += static_cast<std::size_t>(skip);
    n = readCounts(data.data() + at);
    at += kHeaderSize;
    time_bytes = 8;
  }
  const std::int64_t size = blockSize(n, time_bytes);
  if (n.type < 1 || size < 0 || at + static_cast<std::size_t>(size) > data.size()) return bad("truncated");
  const unsigned char* times = data.data() + at;
  const unsigned char* indices = times + n.time * time_bytes;
  const unsigned char* types = indices + n.time;
  auto offsetOfType = [&](std::int64_t type) {
    return static_cast<std::int32_t>(readBigEndian(types + type * 6, 4));
  };
  // RFC 8536: local time before the first transition uses type 0.
  const std::int32_t initial = offsetOfType(0);
  std::vector<TimeZone::Transition> transitions;
  transitions.reserve(static_cast<std::size_t>(n.time));
  for (std::int64_t i = 0; i < n.time; ++i) {
    const std::int64_t type = indices[i];
    if (type >= n.type) return bad("transition names an unknown type");
    transitions.push_back({readBigEndian(times + i * time_bytes, time_bytes), offsetOfType(type)});
  }
  return std::make_shared<const TimeZone>(std::move(name), initial, std::move(transitions));
}

}  // namespace

std::string LocalTime::describe() const {
  char text[40];
  const int offset = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", year, month, day,
                hour, minute, second, utc_offset_minutes < 0 ? '-' : '+', offset / 60,
                offset % 60);
  return text;
}

void TimeZone::setDatabaseFolderForTest(std::filesystem::path folder) {
  std::lock_guard lock(cacheMutex());
  databaseFolder() = std::move(folder);
  cache().clear();
}

Result<std::shared_ptr<const TimeZone>> TimeZone::load(std::string_view name) {
  if (!isSafeZoneName(name)) {
    return makeError(ErrorCode::InvalidInput, "'" + std::string(name) + "' is not a time zone name");
  }
  std::lock_guard lock(cacheMutex());
  if (auto found = cache().find(name); found != cache().end()) return found->second;
  const std::filesystem::path file = databaseFolder() / std::string(name);
  std::ifstream in(file, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(file, ec)) {
    return makeError(ErrorCode::NotFound, "unknown time zone '" + std::string(name) + "'",
                     file.string());
  }
  std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  auto zone = parseTzif(std::string(name), data);
  if (zone.ok()) cache().emplace(std::string(name), zone.value());
  return zone;
}

std::chrono::seconds TimeZone::offsetAt(UtcTime t) const {
  const std::int64_t s =
      std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  auto after = std::upper_bound(transitions_.begin(), transitions_.end(), s,
                                [](std::int64_t v, const Transition& tr) { return v < tr.at_s; });
  if (after == transitions_.begin()) return std::chrono::seconds(initial_offset_s_);
  return std::chrono::seconds(std::prev(after)->offset_s);
}

LocalTime TimeZone::localTime(UtcTime t) const { return localTimeAtOffset(t, offsetAt(t)); }

LocalTime localTimeAtOffset(UtcTime t, std::chrono::seconds offset) {
  using namespace std::chrono;
  const auto local = floor<seconds>(t) + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> clock{local - day};
  LocalTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  out.hour = static_cast<int>(clock.hours().count());
  out.minute = static_cast<int>(clock.minutes().count());
  out.second = static_cast<int>(clock.seconds().count());
  out.weekday = static_cast<int>(weekday{day}.c_encoding());
  out.utc_offset_minutes = static_cast<int>(offset.count() / 60);
  return out;
}

}  // namespace sundial
