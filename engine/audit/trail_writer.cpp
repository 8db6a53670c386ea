#include "engine/audit/trail_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/audit/anchor.h"
#include "engine/audit/stored_record.h"
#include "engine/audit/trail_files.h"
#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::engine::audit {
namespace {

constexpr std::chrono::seconds kRetryAfterWriteFailure{1};
constexpr int kAttemptsWhileStopping = 5;

std::string systemError(const std::string& what) { return what + ": " + std::strerror(errno); }

// Writes all of `text`, retrying short writes.
bool writeAll(int fd, const std::string& text) {
  const char* data = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

void syncFolder(const std::filesystem::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

UtcTime truncatedToMs(UtcTime t) { return fromEpochMs(toEpochMs(t)); }

struct LastLine {
  std::string text;             // empty when the file holds no complete line
  std::uint64_t torn_bytes = 0; // bytes after the last newline (a write cut by a crash)
  int line_number = 0;          // counted only when needed for messages: 0 = unknown
};

// The last complete line of a file, read backwards in chunks (files can be large), and how
// many bytes follow it without a newline.
Result<LastLine> readLastLine(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return makeError(ErrorCode::Unavailable, systemError("cannot open"), file.string());
  struct stat st{};
  ::fstat(fd, &st);
  std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
  std::string tail;  // bytes from `start` to the end of the file
  std::uint64_t start = size;
  constexpr std::uint64_t kChunk = 64 * 1024;
  LastLine last;
  bool found_end = false;  // found the newline ending the last complete line
  std::uint64_t end_of_last = 0;
  while (start > 0) {
    std::uint64_t read_from = start > kChunk ? start - kChunk : 0;
    std::string chunk(start - read_from, '\0');
    if (::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(read_from)) !=
        static_cast<ssize_t>(chunk.size())) {
      ::close(fd);
      return makeError(ErrorCode::Unavailable, systemError("cannot read"), file.string());
    }
    tail = chunk + tail;
    start = read_from;
    if (!found_end) {
      auto newline = tail.rfind('\n');
      if (newline == std::string::npos) continue;
      found_end = true;
      end_of_last = start + newline;  // offset of the newline ending the last line
      last.torn_bytes = size - end_of_last - 1;
    }
    std::size_t end_in_tail = static_cast<std::size_t>(end_of_last - start);
    auto previous = end_in_tail == 0 ? std::string::npos : tail.rfind('\n', end_in_tail - 1);
    if (previous != std::string::npos || start == 0) {
      std::size_t begin = previous == std::string::npos ? 0 : previous + 1;
      last.text = tail.substr(begin, end_in_tail - begin);
      break;
    }
  }
  if (!found_end) last.torn_bytes = size;
  ::close(fd);
  return last;
}

}  // namespace

AuditTrailWriter::AuditTrailWriter(AuditTrailOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

AuditTrailWriter::~AuditTrailWriter() { stop(); }

void AuditTrailWriter::setBatchWrittenListener(std::function<void()> listener) {
  batch_written_ = std::move(listener);
}

Result<void> AuditTrailWriter::recoverHead() {
  head_ = ChainHead{0, kGenesisHash};
  auto files = listTrailFiles(options_.folder);
  // Walk back past empty files (a crash right after a rotation leaves one).
  for (auto it = files.rbegin(); it != files.rend(); ++it) {
    auto last = readLastLine(*it);
    if (!last) return last.error();
    if (last->torn_bytes > 0) {
      std::uint64_t keep = std::filesystem::file_size(*it) - last->torn_bytes;
      if (::truncate(it->c_str(), static_cast<off_t>(keep)) != 0) {
        return makeError(ErrorCode::Unavailable, systemError("cannot cut the torn last line"),
                         it->string());
      }
      torn_bytes_removed_ += last->torn_bytes;
      log::warn("audit_torn_tail_removed", {{"file", it->filename().string()},
                                            {"bytes", std::to_string(last->torn_bytes)}});
    }
    if (it == files.rbegin()) {
      auto name = parseTrailFileName(it->filename().string());
      trail_path_ = *it;
      trail_day_ = name->day;
      trail_index_ = name->index;
    }
    if (last->text.empty()) continue;
    auto parsed = parseRecordLine(last->text);
    if (!parsed) {
      return makeError(ErrorCode::InvalidInput,
                       "the last record of the audit trail cannot be read (" +
                           parsed.error().message + "); run `sundial audit verify`",
                       it->string());
    }
    head_ = ChainHead{parsed->seq, parsed->hash};
    break;
  }
  return okResult();
}

Result<void> AuditTrailWriter::start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.folder, ec);
  if (ec) {
    return makeError(ErrorCode::Unavailable, "cannot create the audit folder: " + ec.message(),
                     options_.folder.string());
  }
  ::chmod(options_.folder.c_str(), 0700);  // the trail holds patient identity
  if (auto recovered = recoverHead(); !recovered) return recovered;
  if (!trail_path_.empty()) {
    trail_fd_ = ::open(trail_path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (trail_fd_ < 0) {
      return makeError(ErrorCode::Unavailable, systemError("cannot open"), trail_path_.string());
    }
    trail_bytes_ = std::filesystem::file_size(trail_path_);
  }
  auto anchor_path = options_.folder / kAnchorFileName;
  anchor_fd_ = ::open(anchor_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (anchor_fd_ < 0) {
    return makeError(ErrorCode::Unavailable, systemError("cannot open"), anchor_path.string());
  }
  if (auto anchored = writeAnchor(); !anchored) return anchored;
  {
    std::lock_guard lock(mutex_);
    published_head_ = head_;
    running_ = true;
    stopping_ = false;
  }
  if (torn_bytes_removed_ > 0) {
    AuditRecord torn;
    torn.action = "audit.torn_tail_removed";
    torn.actor = "engine";
    torn.outcome = "failure";
    torn.details["bytes"] = std::to_string(torn_bytes_removed_);
    torn.details["reason"] = "an incomplete last line (the process stopped while writing it)";
    record(std::move(torn));
  }
  log::info("audit_trail_started", {{"folder", options_.folder.string()},
                                    {"seq", std::to_string(head_.seq)}});
  thread_ = std::thread([this] {
    nameThisThread("audit-writer");
    run();
  });
  return okResult();
}

void AuditTrailWriter::record(AuditRecord record) {
  if (record.at == UtcTime{}) record.at = clock_.utcNow();
  {
    std::lock_guard lock(mutex_);
    if (running_ && !stopping_) {
      // The writer takes the whole queue when it wakes: only the first record of a batch
      // needs to wake it (a notify is a system call when it is waiting).
      bool was_empty = queue_.empty();
      queue_.push_back(std::move(record));
      ++queued_total_;
      if (was_empty) wake_writer_.notify_one();
      return;
    }
  }
  log::error("audit_record_refused", {{"action", record.action},
                                      {"reason", "the audit trail is not running"}});
}

void AuditTrailWriter::flush() {
  std::unique_lock lock(mutex_);
  std::uint64_t target = queued_total_;
  wake_writer_.notify_one();
  written_cv_.wait(lock, [&] { return written_total_ >= target || !running_; });
}

ChainHead AuditTrailWriter::head() const {
  std::lock_guard lock(mutex_);
  return published_head_;
}

void AuditTrailWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    stopping_ = true;
    wake_writer_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  if (head_.seq != anchored_seq_ || !anchored_once_) {
    if (auto anchored = writeAnchor(); !anchored) {
      log::error("audit_anchor_failed", {{"reason", anchored.error().describe()}});
    }
  }
  if (trail_fd_ >= 0) ::close(trail_fd_);
  if (anchor_fd_ >= 0) ::close(anchor_fd_);
  trail_fd_ = anchor_fd_ = -1;
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  written_cv_.notify_all();
  log::info("audit_trail_stopped", {{"seq", std::to_string(head_.seq)}});
}

void AuditTrailWriter::run() {
  std::vector<AuditRecord> batch;
  while (true) {
    bool stopping = false;
    {
      std::unique_lock lock(mutex_);
      bool anchor_pending = head_.seq != anchored_seq_;
      auto ready = [&] { return !queue_.empty() || stopping_; };
      if (anchor_pending) {
        wake_writer_.wait_for(lock, options_.anchor_interval, ready);
      } else {
        wake_writer_.wait(lock, ready);
      }
      batch.swap(queue_);
      stopping = stopping_;
    }
    if (batch.empty()) {
      anchorIfDue();  // an idle wait that timed out
    } else {
      writeBatch(batch);
    }
    if (stopping) {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return;  // stop() refuses new records once stopping_ is set
    }
  }
}

// Seals and writes `records` in order; on a write failure (disk full, I/O error) retries the
// same text until it succeeds or the writer stops, so no sealed record is skipped.
void AuditTrailWriter::writeBatch(std::vector<AuditRecord>& records) {
  std::string text;
  int text_day = 0;
  ChainHead head = head_;
  auto writeOut = [&]() {
    int failures_while_stopping = 0;
    while (!text.empty()) {
      auto appended = appendToTrail(text, text_day);
      if (appended) break;
      log::error("audit_write_failed", {{"reason", appended.error().describe()}});
      std::unique_lock lock(mutex_);
      if (stopping_ && ++failures_while_stopping >= kAttemptsWhileStopping) {
        // The process is ending and the disk will not take them: say how much is lost.
        log::error("audit_records_lost", {{"bytes", std::to_string(text.size())}});
        break;
      }
      wake_writer_.wait_for(lock, kRetryAfterWriteFailure);
    }
    text.clear();
  };
  for (AuditRecord& record : records) {
    StoredRecord stored;
    stored.record = withValidUtf8(std::move(record));
    stored.record.at = truncatedToMs(stored.record.at);
    stored.seq = head.seq + 1;
    stored.prev = head.hash;
    int day = std::max(utcDay(stored.record.at), trail_day_);
    // A day change or a full file: what is sealed so far goes to the current file first.
    if (!text.empty() && day != text_day) writeOut();
    text_day = day;
    text += sealRecord(stored);
    text += '\n';
    head = ChainHead{stored.seq, stored.hash};
  }
  writeOut();
  head_ = head;
  // Before the batch counts as written, so that flush() also covers its anchor.
  anchorIfDue();
  std::size_t count = records.size();
  records.clear();
  {
    std::lock_guard lock(mutex_);
    written_total_ += count;
    published_head_ = head_;
  }
  written_cv_.notify_all();
  if (batch_written_) batch_written_();
}

Result<void> AuditTrailWriter::openTrailFile(int day) {
  if (trail_fd_ >= 0) ::close(trail_fd_);
  trail_fd_ = -1;
  int index = day == trail_day_ ? trail_index_ + 1 : 1;
  std::filesystem::path path = options_.folder / trailFileName({day, index});
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return makeError(ErrorCode::Unavailable, systemError("cannot create"), path.string());
  if (options_.fsync) syncFolder(options_.folder);  // the new name survives a crash
  trail_fd_ = fd;
  trail_path_ = path;
  trail_day_ = day;
  trail_index_ = index;
  trail_bytes_ = 0;
  return okResult();
}

Result<void> AuditTrailWriter::appendToTrail(const std::string& text, int day) {
  bool rotate = trail_fd_ < 0 || day > trail_day_ ||
                (trail_bytes_ > 0 && trail_bytes_ + text.size() > options_.max_file_bytes);
  if (rotate) {
    if (auto opened = openTrailFile(day); !opened) return opened;
  }
  if (!writeAll(trail_fd_, text)) {
    std::string reason = systemError("cannot write");
    // Take back a partial write so the file never ends in half a record.
    ::ftruncate(trail_fd_, static_cast<off_t>(trail_bytes_));
    return makeError(ErrorCode::Unavailable, reason, trail_path_.string());
  }
  if (options_.fsync && ::fdatasync(trail_fd_) != 0) {
    std::string reason = systemError("cannot sync");
    ::ftruncate(trail_fd_, static_cast<off_t>(trail_bytes_));
    return makeError(ErrorCode::Unavailable, reason, trail_path_.string());
  }
  trail_bytes_ += text.size();
  return okResult();
}

void AuditTrailWriter::anchorIfDue() {
  if (head_.seq == anchored_seq_) return;
  if (clock_.steadyNow() - last_anchor_ < options_.anchor_interval) return;
  if (auto anchored = writeAnchor(); !anchored) {
    log::error("audit_anchor_failed", {{"reason", anchored.error().describe()}});
  }
}

Result<void> AuditTrailWriter::writeAnchor() {
  Anchor anchor;
  anchor.seq = head_.seq;
  anchor.hash = head_.hash;
  anchor.at = truncatedToMs(clock_.utcNow());
  std::string line = sealAnchor(anchor, options_.anchor_key) + "\n";
  if (!writeAll(anchor_fd_, line) || (options_.fsync && ::fdatasync(anchor_fd_) != 0)) {
    return makeError(ErrorCode::Unavailable, systemError("cannot write the anchor"),
                     (options_.folder / kAnchorFileName).string());
  }
  anchored_seq_ = head_.seq;
  anchored_once_ = true;
  last_anchor_ = clock_.steadyNow();
  return okResult();
}

}  // namespace sundial::engine::audit
