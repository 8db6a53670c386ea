#pragma once
// Sends the trail to the audit repository as PS3.15 messages over syslog, in trail order,
// never blocking record(): the trail files themselves are the on-disk queue, and
// `export.cursor` (file, offset, seq; replaced atomically) says how far delivery got. While
// the repository is down the exporter retries with exponential backoff; after a restart it
// resumes at the cursor, so a message may be sent twice (at-least-once; the structured data
// carries the seq for de-duplication) but none is skipped.
//
// Threads: start()/stop() from the owning thread; notifyWritten() from any (the writer's
// batch listener); everything else on the exporter's own thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/audit/atna_message.h"
#include "engine/audit/audit_transport.h"
#include "engine/audit/syslog_message.h"
#include "engine/domain/clock.h"

namespace sundial::engine::audit {

struct AuditExporterOptions {
  std::filesystem::path folder;
  AtnaSource source;
  SyslogHeader header;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  std::chrono::milliseconds poll_interval{1000};  // look for new records without a notice
  std::size_t batch = 256;                        // messages between cursor updates
};

struct ExportCursor {
  std::string file;          // trail file name; empty: the first file
  std::uint64_t offset = 0;  // bytes of that file already sent
  std::uint64_t seq = 0;     // the last record sent
};

class AuditExporter {
 public:
  AuditExporter(AuditExporterOptions options, std::unique_ptr<AuditTransport> transport);
  ~AuditExporter();  // stop()s

  // Reads the cursor (InvalidInput when it is unreadable) and starts the thread.
  Result<void> start();
  void notifyWritten();
  // Waits (at most `timeout`) until records up to `seq` are sent: at a clean stop, the last
  // records go out while the repository is reachable; otherwise they wait for the next start.
  bool waitExported(std::uint64_t seq, std::chrono::milliseconds timeout);
  // Finishes the message being sent, saves the cursor, closes the connection, joins.
  void stop();

  std::uint64_t exportedSeq() const { return exported_seq_.load(); }

 private:
  void run();
  // Sends what follows the cursor (up to `batch` messages). False when the transport failed.
  bool sendSome(bool& sent_any);
  bool advanceToNextFile();
  void saveCursor();
  void waitFor(std::chrono::milliseconds delay);

  const AuditExporterOptions options_;
  std::unique_ptr<AuditTransport> transport_;
  std::mutex mutex_;  // guards stopping_ and notified_
  std::condition_variable wake_;
  bool stopping_ = false;
  bool notified_ = false;
  std::atomic<std::uint64_t> exported_seq_{0};
  ExportCursor cursor_;  // exporter thread only (start() before it runs)
  std::thread thread_;
};

// The cursor file's content, and back (InvalidInput naming what is wrong).
std::string formatExportCursor(const ExportCursor& cursor);
Result<ExportCursor> parseExportCursor(std::string_view text);

}  // namespace sundial::engine::audit
