#pragma once
// FileSpool: the spool on a local folder. Incoming instances are written under
// `<root>/tmp/<unique>.part`, flushed, then renamed to `<root>/<study-uid>/<sop-uid>.dcm`.
// Safe to call from any thread (every operation is a few system calls on distinct files);
// start() must have succeeded before the first reserveTemporary().

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/config/config.h"
#include "engine/domain/result.h"
#include "engine/store/spool.h"

namespace sundial::adapters::spool {

class FileSpool final : public engine::Spool {
 public:
  FileSpool(std::filesystem::path root, config::SpoolConfig config);

  // Creates the folders, checks that they are writable and removes temporary files left by a
  // previous run (never acknowledged: an instance is acknowledged only after its rename).
  Result<void> start();

  Result<std::filesystem::path> reserveTemporary() override;
  Result<std::filesystem::path> commit(const std::filesystem::path& temporary,
                                       const std::string& study_uid,
                                       const std::string& sop_instance_uid) override;
  void discard(const std::filesystem::path& temporary) override;
  Result<void> remove(const std::filesystem::path& committed) override;
  std::vector<std::filesystem::path> listCommitted() override;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path temporaryDir() const { return root_ / kTemporaryDirName; }

  // Where commit() puts an instance (UIDs already checked).
  std::filesystem::path committedPath(const std::string& study_uid,
                                      const std::string& sop_instance_uid) const;

  static constexpr const char* kTemporaryDirName = "tmp";
  static constexpr const char* kTemporarySuffix = ".part";
  static constexpr const char* kCommittedSuffix = ".dcm";

 private:
  // ResourceExhausted when the file system holding the spool is below its free-space floor.
  Result<void> checkFreeSpace() const;
  // Whether `path` lies inside `dir` (lexically, after normalisation).
  static bool isInside(const std::filesystem::path& path, const std::filesystem::path& dir);

  const std::filesystem::path root_;  // absolute, normalised
  const config::SpoolConfig config_;
  std::atomic<std::uint64_t> next_temporary_{0};
};

}  // namespace sundial::adapters::spool
