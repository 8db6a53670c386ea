#include "engine/audit/trail_query.h"

#include <fstream>

#include "engine/audit/trail_files.h"

namespace sundial::engine::audit {
namespace {

// The text `"field":"value"` must appear in a line whose field has that value: a cheap test
// that rejects most lines without parsing them.
std::string fieldNeedle(const char* field, const std::string& value, bool family) {
  std::string needle = std::string("\"") + field + "\":";
  appendJsonString(needle, value);
  if (family) needle.pop_back();  // a prefix: no closing quote
  return needle;
}

bool actionMatches(const std::string& action, const std::string& wanted) {
  if (wanted.empty()) return true;
  if (wanted.back() == '.') return action.compare(0, wanted.size(), wanted) == 0;
  return action == wanted;
}

}  // namespace

bool matchesQuery(const StoredRecord& stored, const TrailQuery& query) {
  const AuditRecord& r = stored.record;
  if (!query.patient_id.empty() && r.patient_id != query.patient_id) return false;
  if (!query.user.empty() && r.actor != query.user) return false;
  if (!query.study_uid.empty() && r.study_uid != query.study_uid) return false;
  if (!actionMatches(r.action, query.action)) return false;
  if (query.from && r.at < *query.from) return false;
  if (query.to && r.at >= *query.to) return false;
  return true;
}

TrailQueryResult queryTrail(const std::filesystem::path& folder, const TrailQuery& query) {
  std::vector<std::string> needles;
  if (!query.patient_id.empty()) needles.push_back(fieldNeedle("patient_id", query.patient_id, false));
  if (!query.user.empty()) needles.push_back(fieldNeedle("actor", query.user, false));
  if (!query.study_uid.empty()) needles.push_back(fieldNeedle("study_uid", query.study_uid, false));
  if (!query.action.empty()) {
    needles.push_back(fieldNeedle("action", query.action, query.action.back() == '.'));
  }
  // A file is named after the day it was started and never holds records of an earlier day;
  // a record stamped by its caller can be a little older than its file, hence the day before.
  int first_day = query.from ? utcDay(*query.from - std::chrono::hours(24)) : 0;
  int last_day = query.to ? utcDay(*query.to - std::chrono::milliseconds(1)) : 99999999;

  TrailQueryResult result;
  auto files = listTrailFiles(folder);
  for (std::size_t i = 0; i < files.size(); ++i) {
    int day = parseTrailFileName(files[i].filename().string())->day;
    // A file's records reach at most the day the next file starts.
    int next_day = i + 1 < files.size()
                       ? parseTrailFileName(files[i + 1].filename().string())->day
                       : 99999999;
    if (day > last_day || next_day < first_day) continue;
    ++result.files_read;
    std::ifstream in(files[i]);
    for (std::string line; std::getline(in, line);) {
      bool candidate = true;
      for (const auto& needle : needles) {
        if (line.find(needle) == std::string::npos) {
          candidate = false;
          break;
        }
      }
      if (!candidate) continue;
      auto parsed = parseRecordLine(line);
      if (!parsed || !matchesQuery(*parsed, query)) continue;
      if (result.records.size() == query.limit) {
        result.truncated = true;
        return result;
      }
      result.records.push_back(std::move(parsed.value()));
    }
  }
  return result;
}

}  // namespace sundial::engine::audit
