#pragma once
// FileSpool: the spool on a local folder. Incoming instances are written under
// `<root>/tmp/<unique>.part`, flushed, then renamed to `<root>/<study-uid>/<sop-uid>.dcm`.
// A removed file is recycled rather than unlinked (renamed to `<root>/tmp/<unique>.free`,
// up to kMaxRecycledFiles files of at most kMaxRecycledBytes each) and handed out again by
// reserveTemporary(): creating and unlinking a file per instance cost the kernel an inode
// allocation and the freeing of its blocks, about 13 % of the router's CPU per instance.
// Recycled files are temporary files: start() deletes them with the rest.
// Safe to call from any thread (every operation is a few system calls on distinct files);
// start() must have succeeded before the first reserveTemporary().

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
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
  bool removeIfCheap(const std::filesystem::path& committed) override;
  std::vector<std::filesystem::path> listCommitted() override;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path temporaryDir() const { return root_ / kTemporaryDirName; }

  // Where commit() puts an instance (UIDs already checked).
  std::filesystem::path committedPath(const std::string& study_uid,
                                      const std::string& sop_instance_uid) const;

  static constexpr const char* kTemporaryDirName = "tmp";
  static constexpr const char* kTemporarySuffix = ".part";
  static constexpr const char* kCommittedSuffix = ".dcm";
  static constexpr const char* kRecycledSuffix = ".free";
  static constexpr std::size_t kMaxRecycledFiles = 32;
  static constexpr std::uintmax_t kMaxRecycledBytes = 4 * 1024 * 1024;

  size_t recycledFilesForTest() const;

 private:
  // ResourceExhausted when the file system holding the spool is below its free-space floor.
  Result<void> checkFreeSpace() const;
  // Whether `path` lies inside `dir` (lexically, after normalisation).
  static bool isInside(const std::filesystem::path& path, const std::filesystem::path& dir);
  bool isCommittedPath(const std::filesystem::path& path) const;
  // Drops the study folder of `committed` once it is empty.
  void removeStudyFolderIfEmpty(const std::filesystem::path& committed) const;
  // A new unique name in the temporary folder with `suffix`.
  std::filesystem::path temporaryName(const char* suffix);
  // Moves `committed` to the recycled files; false when it should be unlinked instead.
  bool recycle(const std::filesystem::path& committed);
  // A recycled file renamed to `temporary`; false when there is none.
  bool reuseRecycled(const std::filesystem::path& temporary);

  const std::filesystem::path root_;  // absolute, normalised
  const config::SpoolConfig config_;
  std::atomic<std::uint64_t> next_temporary_{0};
  mutable std::mutex recycled_mutex_;  // guards recycled_; never held across a system call
  std::vector<std::filesystem::path> recycled_;
};

}  // namespace sundial::adapters::spool
