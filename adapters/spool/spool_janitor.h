#pragma once
// SpoolJanitor: a Spool that removes forwarded files in the background. Removing a file is
// not free here (the file system frees its blocks and discards them on the device, tens to
// hundreds of microseconds, sometimes waiting on the disk); done inline it holds a forward
// worker away from its next send. The janitor's thread runs at a lower CPU priority, so under
// load it yields to receiving and forwarding and catches up when they pause.
//
// A removal the wrapped spool can do cheaply (FileSpool recycling the file: a rename) is done
// at once, on the caller's thread: queued behind a starved low-priority thread it would not
// free a file for reuse in time. Every other operation goes straight to the wrapped spool. Thread-safe. A removal queued when
// the process dies is not done then: the file stays in the spool (known to the state store as
// forwarded, so it is never sent again) until the next start's recovery removes it.
//
// The thread also runs a periodic tidy step given at construction (for FileSpool: deleting
// study folders left empty), every tidy interval, between removals.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "engine/store/spool.h"

namespace sundial::adapters::spool {

class SpoolJanitor final : public engine::Spool {
 public:
  static constexpr std::chrono::milliseconds kDefaultTidyInterval{30'000};

  // `tidy` (may be empty) runs on the janitor's thread every `tidy_interval` while started.
  explicit SpoolJanitor(engine::Spool& inner, std::function<void()> tidy = {},
                        std::chrono::milliseconds tidy_interval = kDefaultTidyInterval);
  ~SpoolJanitor() override;  // stop()
  SpoolJanitor(const SpoolJanitor&) = delete;
  SpoolJanitor& operator=(const SpoolJanitor&) = delete;

  void start();
  // Removes what is still queued, then joins. Idempotent.
  void stop();

  Result<std::filesystem::path> reserveTemporary(std::uint64_t expected_bytes) override {
    return inner_.reserveTemporary(expected_bytes);
  }
  bool syncsFiles() const override { return inner_.syncsFiles(); }
  Result<std::filesystem::path> commit(const std::filesystem::path& temporary,
                                       const std::string& study_uid,
                                       const std::string& sop_instance_uid,
                                       FileState state) override {
    return inner_.commit(temporary, study_uid, sop_instance_uid, state);
  }
  void discard(const std::filesystem::path& temporary) override { inner_.discard(temporary); }
  std::vector<std::filesystem::path> listCommitted() override { return inner_.listCommitted(); }

  // Queues the removal and returns at once (removes inline when the janitor is not running).
  Result<void> remove(const std::filesystem::path& committed) override;
  bool removeIfCheap(const std::filesystem::path& committed) override {
    return inner_.removeIfCheap(committed);
  }

  size_t queuedForTest();

 private:
  void run();
  void removeNow(const std::filesystem::path& committed);

  engine::Spool& inner_;
  const std::function<void()> tidy_;
  const std::chrono::milliseconds tidy_interval_;
  std::mutex mutex_;  // guards queue_ and stopping_
  std::condition_variable wake_;
  std::deque<std::filesystem::path> queue_;
  bool stopping_ = false;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace sundial::adapters::spool
