#pragma once
// Finds trail records for auditors: by patient, user (the record's actor), study, action and
// time range. Reads only the files whose day can hold the range (one file per day, so a query
// over a day reads about a day of records) and skips lines that cannot match before parsing
// them. Reads files only; safe while the writer appends.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/audit/stored_record.h"

namespace sundial::engine::audit {

struct TrailQuery {
  std::string patient_id;  // exact; empty: any
  std::string user;        // the record's actor, exact
  std::string study_uid;   // exact
  std::string action;      // exact, or a family when it ends in '.' ("order.")
  std::optional<UtcTime> from;  // inclusive
  std::optional<UtcTime> to;    // exclusive
  std::size_t limit = 1000;
};

struct TrailQueryResult {
  std::vector<StoredRecord> records;  // in trail order (oldest first)
  bool truncated = false;             // more matched than `limit`
  std::size_t files_read = 0;
};

TrailQueryResult queryTrail(const std::filesystem::path& folder, const TrailQuery& query);

// Whether the record matches every given criterion.
bool matchesQuery(const StoredRecord& stored, const TrailQuery& query);

}  // namespace sundial::engine::audit
