#pragma once
// Where the trail lives on disk: `<folder>/trail-YYYYMMDD-NNNN.jsonl`, one file per UTC day
// (the writer's clock when the file was started) and a new one when a file reaches its size
// limit. Names sort in the order they were written, which is the order of the chain.
// The anchors are in `<folder>/anchors.jsonl`, the export position in `export.cursor`.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/clock.h"

namespace sundial::engine::audit {

inline constexpr const char* kAnchorFileName = "anchors.jsonl";
inline constexpr const char* kAnchorKeyFileName = "anchor.key";
inline constexpr const char* kExportCursorFileName = "export.cursor";

struct TrailFileName {
  int day = 0;    // YYYYMMDD
  int index = 0;  // 1, 2, ... within the day
};

// "trail-20261130-0001.jsonl"
std::string trailFileName(TrailFileName name);
// Empty when `file_name` is not a trail file's name.
std::optional<TrailFileName> parseTrailFileName(const std::string& file_name);

// YYYYMMDD of a UTC time.
int utcDay(UtcTime t);

// Every trail file in the folder, in chain order. Empty when the folder does not exist.
std::vector<std::filesystem::path> listTrailFiles(const std::filesystem::path& folder);

}  // namespace sundial::engine::audit
