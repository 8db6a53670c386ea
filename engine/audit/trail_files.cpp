#include "engine/audit/trail_files.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace sundial::engine::audit {

std::string trailFileName(TrailFileName name) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "trail-%08d-%04d.jsonl", name.day, name.index);
  return buffer;
}

std::optional<TrailFileName> parseTrailFileName(const std::string& file_name) {
  // Exactly "trail-" 8 digits "-" 4+ digits ".jsonl".
  constexpr std::string_view kPrefix = "trail-";
  constexpr std::string_view kSuffix = ".jsonl";
  if (file_name.size() < kPrefix.size() + 8 + 1 + 4 + kSuffix.size()) return std::nullopt;
  if (file_name.compare(0, kPrefix.size(), kPrefix) != 0) return std::nullopt;
  if (file_name.compare(file_name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
    return std::nullopt;
  }
  std::string middle = file_name.substr(kPrefix.size(),
                                        file_name.size() - kPrefix.size() - kSuffix.size());
  if (middle.size() < 13 || middle[8] != '-') return std::nullopt;
  for (std::size_t i = 0; i < middle.size(); ++i) {
    if (i != 8 && (middle[i] < '0' || middle[i] > '9')) return std::nullopt;
  }
  return TrailFileName{std::stoi(middle.substr(0, 8)), std::stoi(middle.substr(9))};
}

int utcDay(UtcTime t) {
  long long ms = toEpochMs(t);
  std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

std::vector<std::filesystem::path> listTrailFiles(const std::filesystem::path& folder) {
  std::vector<std::pair<std::pair<int, int>, std::filesystem::path>> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    auto name = parseTrailFileName(entry.path().filename().string());
    if (name) found.push_back({{name->day, name->index}, entry.path()});
  }
  std::sort(found.begin(), found.end());
  std::vector<std::filesystem::path> files;
  for (auto& [key, path] : found) files.push_back(std::move(path));
  return files;
}

}  // namespace sundial::engine::audit
