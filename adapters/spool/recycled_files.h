#pragma once
// RecycledFiles: the bookkeeping of FileSpool's recycled files (files of removed instances kept
// under a temporary name, to be written over by the next incoming instance): which files there
// are and how much disk they hold, within limits on the file count, the total bytes and the
// size of one file. It makes no file system calls, so its mutex is never held across one.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

namespace sundial::adapters::spool {

class RecycledFiles {
 public:
  struct Limits {
    std::size_t max_files = 0;
    std::uintmax_t max_total_bytes = 0;
    std::uintmax_t max_file_bytes = 0;
  };
  struct File {
    std::filesystem::path path;
    std::uintmax_t bytes = 0;
  };

  explicit RecycledFiles(Limits limits);

  // Makes room for one more file of `bytes`; false when that would break a limit. A true
  // answer must be followed by add() (the file was moved in) or release() (it was not), so
  // that concurrent callers never overshoot the limits between the check and the move.
  bool reserve(std::uintmax_t bytes);
  // The same, but when the pool is full its oldest files go to make room; they are returned,
  // for the caller to unlink outside the lock. A file recycled long ago is the least likely to
  // be cached, and one whose length matches nothing that arrives (take() looks at the newest
  // kFitScan only) would otherwise hold its room for good. None when the file is larger than
  // one file may be, or when reservations in progress leave no room whatever goes.
  std::optional<std::vector<File>> reserveEvictingOldest(std::uintmax_t bytes);
  void add(File file);
  void release(std::uintmax_t bytes);

  // A file for an instance expected to be about `expected_bytes` long: among the kFitScan
  // most recently added (their pages are the likeliest to be cached), the one whose length is
  // closest, the most recent on a tie; with 0 (unknown), the most recent. None when empty.
  // Written over, a file of about the right length neither allocates blocks (for a larger
  // instance) nor frees them (for a smaller one; freeing costs a discard on a file system
  // mounted with `discard`), and finds its pages still cached.
  std::optional<File> take(std::uintmax_t expected_bytes);
  // Every file, forgetting them (the caller deletes them).
  std::vector<File> takeAll();

  std::size_t files() const;       // counting reservations in progress
  std::uintmax_t bytes() const;    // likewise
  const Limits& limits() const { return limits_; }

  // How many of the most recent files take() compares: enough for the sizes a few
  // associations send at once, few enough for a short loop under the mutex.
  static constexpr std::size_t kFitScan = 64;

 private:
  const Limits limits_;
  mutable std::mutex mutex_;  // guards everything below
  std::vector<File> files_;  // oldest first
  std::size_t count_ = 0;        // files_ plus reservations not yet added
  std::uintmax_t total_bytes_ = 0;  // likewise
  std::uintmax_t files_bytes_ = 0;  // files_ only
};

}  // namespace sundial::adapters::spool
