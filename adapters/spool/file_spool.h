#pragma once
// FileSpool: the spool on a local folder. Incoming instances are written under
// `<root>/tmp/<unique>.part`, flushed, then renamed to `<root>/<study-uid>/<sop-uid>.dcm`.
//
// Recycling. A removed file is recycled rather than unlinked (renamed to
// `<root>/tmp/<unique>.free`) and handed out again by reserveTemporary(): creating a file costs
// the kernel an inode allocation and unlinking one the freeing (and, with `discard`, the
// trimming) of its blocks; on the 2-core benchmark machine those were 17 % of the receive
// threads' CPU and about 7 ms per unlink. The pool is sized for bursts, when receiving runs
// ahead of forwarding and the removals come later all at once: up to kMaxRecycledFiles files
// of at most kMaxRecycledFileBytes each and kMaxRecycledTotalBytes in all; when it is full, a
// file given to remove() takes the place of the oldest recycled ones. Recycled files are
// spool disk use and count as such: the free-space floor is checked against what the file
// system reports free, so a full pool (256 MiB) is held outside it; when the disk is below
// the floor, reserveTemporary() deletes the recycled files before it refuses an instance.
// Recycled files are temporary files: start() keeps them (see there) or deletes them.
//
// Study folders. A study folder stays when its last file is removed (the next instance of a
// forwarded-as-it-arrives study would create it again: a mkdir and an fsync of the root per
// instance); removeEmptyStudyFolders() deletes those empty for a while, from the janitor's
// thread. commit() retries when a folder disappears between its mkdir and its rename.
//
// One process per spool. start() reuses what a previous run left in the temporary folder, so
// a second process on the same folder could take the first one's half-written files: start()
// takes an exclusive flock on `<root>/.lock` (held until the FileSpool is destroyed, released
// by the kernel if the process dies) and fails if another FileSpool, in this process or
// another, holds it.
//
// Safe to call from any thread (every operation is a few system calls on distinct files);
// start() must have succeeded before the first reserveTemporary().

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "adapters/spool/recycled_files.h"
#include "engine/config/config.h"
#include "engine/domain/result.h"
#include "engine/metrics/metrics.h"
#include "engine/store/spool.h"

namespace sundial::adapters::spool {

class FileSpool final : public engine::Spool {
 public:
  // Registers its series (sundial_spool_*) in `metrics`, which must outlive it. start() makes
  // `files_ready_at_start` empty recycled files (kFilesReadyAtStart in production).
  FileSpool(std::filesystem::path root, config::SpoolConfig config, engine::Metrics& metrics,
            std::size_t files_ready_at_start = 0);
  ~FileSpool() override;  // releases the lock on the root
  FileSpool(const FileSpool&) = delete;
  FileSpool& operator=(const FileSpool&) = delete;

  // Creates the folders, locks the root (Rejected, naming the folder and the holder's pid, if
  // another FileSpool holds it) and checks that they are writable. Files a previous run left in the
  // temporary folder (never acknowledged: an instance is acknowledged only after its rename)
  // become recycled files within the pool's limits and are deleted beyond them; then empty
  // files are made until the pool has `files_ready_at_start`, so that the first burst after a
  // start creates no inodes on the receive path (an empty file holds no disk blocks).
  Result<void> start();

  Result<std::filesystem::path> reserveTemporary(std::uint64_t expected_bytes) override;
  bool syncsFiles() const override { return config_.fsync; }
  Result<std::filesystem::path> commit(const std::filesystem::path& temporary,
                                       const std::string& study_uid,
                                       const std::string& sop_instance_uid,
                                       FileState state) override;
  void discard(const std::filesystem::path& temporary) override;
  Result<void> remove(const std::filesystem::path& committed) override;
  bool removeIfCheap(const std::filesystem::path& committed) override;
  std::vector<std::filesystem::path> listCommitted() override;

  // Deletes the study folders that are empty and unchanged since `changed_before` (a folder's
  // modification time is that of its last added or removed file); returns how many. Safe
  // while instances are committed: a commit whose folder goes between its mkdir and its
  // rename makes the folder again.
  int removeEmptyStudyFolders(std::filesystem::file_time_type changed_before);
  // The same for folders empty for at least kEmptyStudyFolderAge.
  int removeEmptyStudyFolders();

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path temporaryDir() const { return root_ / kTemporaryDirName; }

  // Where commit() puts an instance (UIDs already checked).
  std::filesystem::path committedPath(const std::string& study_uid,
                                      const std::string& sop_instance_uid) const;

  static constexpr const char* kTemporaryDirName = "tmp";
  static constexpr const char* kTemporarySuffix = ".part";
  static constexpr const char* kCommittedSuffix = ".dcm";
  static constexpr const char* kRecycledSuffix = ".free";
  // In the root; holds the pid of the process that has the spool, for the error message.
  static constexpr const char* kLockFileName = ".lock";
  // A burst of a few CT studies (0.5 MiB per instance) fits; larger instances are fewer.
  static constexpr std::size_t kMaxRecycledFiles = 512;
  static constexpr std::uintmax_t kMaxRecycledTotalBytes = 256ull * 1024 * 1024;
  // Radiographs and mammograms (15-30 MB) too: reserveTemporary() matches lengths, so a large
  // file goes to the next large instance instead of being cut down for a small one.
  static constexpr std::uintmax_t kMaxRecycledFileBytes = 32ull * 1024 * 1024;
  static constexpr std::chrono::seconds kEmptyStudyFolderAge{60};
  // Half the pool: a burst finds files at once, and removals still have room to recycle.
  static constexpr std::size_t kFilesReadyAtStart = kMaxRecycledFiles / 2;

  size_t recycledFilesForTest() const { return recycled_.files(); }
  std::uintmax_t recycledBytesForTest() const { return recycled_.bytes(); }
  // Called in commit() before each rename into the study folder.
  void setBeforeRenameForTest(std::function<void()> hook) { before_rename_ = std::move(hook); }
  // Called in commit() before it makes a missing study folder.
  void setBeforeMkdirForTest(std::function<void()> hook) { before_mkdir_ = std::move(hook); }
  // How many times commit() has fsynced the root after making (or finding) a study folder.
  int rootSyncsForTest() const { return root_syncs_.load(); }
  // Replaces statvfs as the source of the free bytes.
  void setFreeBytesForTest(std::function<std::uint64_t()> source) {
    free_bytes_for_test_ = std::move(source);
  }

 private:
  // Takes the lock on the root for this FileSpool's lifetime (lock_fd_).
  Result<void> lockRoot();
  // The bytes free to us on the file system holding the spool.
  Result<std::uint64_t> freeBytes() const;
  // ResourceExhausted when the file system holding the spool is below its free-space floor.
  Result<void> checkFreeSpace() const;
  // Whether `path` lies inside `dir` (lexically, after normalisation).
  static bool isInside(const std::filesystem::path& path, const std::filesystem::path& dir);
  bool isCommittedPath(const std::filesystem::path& path) const;
  // A new unique name in the temporary folder with `suffix`.
  std::filesystem::path temporaryName(const char* suffix);
  // Moves `file` (committed, or temporary and given up) to the recycled files; false when it
  // should be unlinked instead. With `evict_oldest`, a full pool unlinks its oldest files to
  // make room: only from remove(), which a SpoolJanitor runs on its own thread, never from
  // removeIfCheap() (the caller's thread: an unlink costs a discard).
  bool recycle(const std::filesystem::path& file, bool evict_oldest);
  // A recycled file renamed to `temporary`; false when there is none.
  bool reuseRecycled(const std::filesystem::path& temporary, std::uint64_t expected_bytes);
  // Empty recycled files up to files_ready_at_start_; returns how many were made.
  Result<int> makeFilesReady();
  // Unlinks every recycled file (their disk goes back to the file system); returns how many.
  int deleteRecycledFiles();
  // A new empty temporary file.
  Result<std::filesystem::path> createTemporary();
  void updateRecycledGauges();

  const std::filesystem::path root_;  // absolute, normalised
  const config::SpoolConfig config_;
  const std::size_t files_ready_at_start_;
  std::atomic<std::uint64_t> next_temporary_{0};
  std::atomic<int> root_syncs_{0};
  int lock_fd_ = -1;  // the locked `<root>/.lock`; set by start()
  RecycledFiles recycled_;
  engine::Counter& files_created_;
  engine::Counter& files_recycled_;
  engine::Gauge& recycled_files_;
  engine::Gauge& recycled_bytes_;
  // Set by tests before start(); read-only afterwards.
  std::function<void()> before_rename_;
  std::function<void()> before_mkdir_;
  std::function<std::uint64_t()> free_bytes_for_test_;
};

}  // namespace sundial::adapters::spool
