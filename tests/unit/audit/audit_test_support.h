#pragma once
// Helpers shared by the audit unit tests: a temporary folder, a clock the test moves by hand
// (safe to read from the writer thread), and line-level access to trail files.

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/audit/audit_sink.h"
#include "engine/domain/clock.h"

namespace sundial::engine::audit::test {

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sundial-audit-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Starts at 2027-01-15T08:00:00Z; advanced only by the test.
class ManualClock final : public Clock {
 public:
  SteadyTime steadyNow() const override { return SteadyTime(std::chrono::milliseconds(ms_.load())); }
  UtcTime utcNow() const override { return fromEpochMs(kStartUtcMs + ms_.load()); }
  void advance(std::chrono::milliseconds by) { ms_ += by.count(); }

  static constexpr long long kStartUtcMs = 1'800'000'000'000;  // 2027-01-15T08:00:00Z

 private:
  std::atomic<long long> ms_{3'600'000};
};

inline std::vector<std::string> readLines(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline void writeLines(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::ofstream out(file, std::ios::trunc);
  for (const auto& line : lines) out << line << "\n";
}

inline AuditRecord sampleRecord(int i) {
  AuditRecord r;
  r.action = "instance.received";
  r.actor = "SITE" + std::to_string(i % 3);
  r.site = "DEMO";
  r.study_uid = "1.2.3." + std::to_string(i);
  r.patient_id = "PAT" + std::to_string(i % 5);
  r.accession_number = "ACC" + std::to_string(i);
  r.details = {{"count", std::to_string(i)}, {"calling_ae", "MODALITY"}};
  return r;
}

}  // namespace sundial::engine::audit::test
