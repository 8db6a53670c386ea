#pragma once
// The audit trail's writer: implements AuditSink by appending hash-chained records
// (stored_record.h) to per-day files in one folder (trail_files.h) and anchoring the chain
// head periodically (anchor.h).
//
// Threads: record() may be called from any thread; it only stamps the time (when empty),
// queues the record and wakes the writer thread, so the DICOM and HL7 paths never wait on
// the disk. The writer thread owns the files and the chain head: it takes everything queued
// as one batch, assigns sequence numbers, seals each record, writes the batch with one
// write() and, with `fsync` on (the default), fdatasync()s it before taking the next batch.
//
// Durability: stop() writes everything queued before it returns and anchors the head, so a
// clean stop loses nothing. After kill -9 what was still queued (at most one batch interval,
// usually milliseconds) is lost, what was written is kept, and records after the last anchor
// are reported by verify as an unanchored tail. A line torn by the crash (no newline) is cut
// off at the next start, which records that it did so. start() continues the chain from the
// last record on disk.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/audit/audit_sink.h"
#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::engine::audit {

struct AuditTrailOptions {
  std::filesystem::path folder;                 // <data>/audit
  std::uint64_t max_file_bytes = 64ull << 20;   // start a new file beyond this
  bool fsync = true;                            // fdatasync each batch (and each anchor)
  std::chrono::milliseconds anchor_interval{5000};
  std::string anchor_key;                       // raw bytes (anchor.h loadAnchorKey)
};

struct ChainHead {
  std::uint64_t seq = 0;  // 0: empty trail
  std::string hash;       // kGenesisHash for an empty trail
};

class AuditTrailWriter final : public AuditSink {
 public:
  AuditTrailWriter(AuditTrailOptions options, const Clock& clock);
  ~AuditTrailWriter() override;  // stop()s
  AuditTrailWriter(const AuditTrailWriter&) = delete;
  AuditTrailWriter& operator=(const AuditTrailWriter&) = delete;

  // Called on the writer thread after each batch is on disk (for the exporter to wake up).
  // Before start() only; it must be quick and must not call record().
  void setBatchWrittenListener(std::function<void()> listener);

  // Creates the folder, continues the chain from the last record on disk (cutting off a torn
  // last line), anchors the head and starts the writer thread. Unavailable when the folder or
  // a file cannot be opened; InvalidInput when the last record on disk cannot be read.
  Result<void> start();

  void record(AuditRecord record) override;

  // Returns once every record queued before the call is written (and synced with `fsync`).
  void flush();

  // Writes what is queued, anchors the head, joins the thread. Idempotent. Records arriving
  // afterwards are refused with an error log naming their action.
  void stop();

  ChainHead head() const;

 private:
  struct Batch;
  void run();
  void writeBatch(std::vector<AuditRecord>& records);
  Result<void> appendToTrail(const std::string& text, int day);
  Result<void> openTrailFile(int day);
  void anchorIfDue();
  Result<void> writeAnchor();
  Result<void> recoverHead();

  const AuditTrailOptions options_;
  const Clock& clock_;
  std::function<void()> batch_written_;

  mutable std::mutex mutex_;  // guards everything down to written_; never held for I/O
  std::condition_variable wake_writer_;
  std::condition_variable written_cv_;
  std::vector<AuditRecord> queue_;
  std::uint64_t queued_total_ = 0;
  std::uint64_t written_total_ = 0;
  bool stopping_ = false;
  bool running_ = false;
  ChainHead published_head_;  // a copy of the writer thread's head, for head()

  // Writer thread only (and start()/stop() before it runs / after it is joined).
  ChainHead head_;
  std::uint64_t anchored_seq_ = 0;
  bool anchored_once_ = false;
  SteadyTime last_anchor_{};
  int trail_fd_ = -1;
  std::filesystem::path trail_path_;
  int trail_day_ = 0;
  int trail_index_ = 0;
  std::uint64_t trail_bytes_ = 0;
  int anchor_fd_ = -1;
  std::uint64_t torn_bytes_removed_ = 0;
  std::thread thread_;
};

}  // namespace sundial::engine::audit
