#include "engine/audit/audit_exporter.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/audit/trail_files.h"
#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::engine::audit {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;

// Complete lines of `file` from `offset`, at most `max_lines`, with where each one ends.
struct Chunk {
  std::vector<std::pair<std::string, std::uint64_t>> lines;  // text, offset after its newline
};

Chunk readLinesFrom(const std::filesystem::path& file, std::uint64_t offset, std::size_t max_lines) {
  Chunk chunk;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return chunk;
  std::string buffer(kReadChunk, '\0');
  ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
  ::close(fd);
  if (n <= 0) return chunk;
  buffer.resize(static_cast<std::size_t>(n));
  std::size_t begin = 0;
  while (chunk.lines.size() < max_lines) {
    auto end = buffer.find('\n', begin);
    if (end == std::string::npos) break;  // an incomplete line: the writer is not done with it
    chunk.lines.push_back({buffer.substr(begin, end - begin), offset + end + 1});
    begin = end + 1;
  }
  if (chunk.lines.empty() && static_cast<std::size_t>(n) == kReadChunk) {
    // One line longer than the chunk: records are far smaller, so this is not a record.
    log::error("audit_export_line_too_long", {{"file", file.filename().string()}});
  }
  return chunk;
}

}  // namespace

std::string formatExportCursor(const ExportCursor& cursor) {
  nlohmann::json j = {{"file", cursor.file}, {"offset", cursor.offset}, {"seq", cursor.seq}};
  return j.dump() + "\n";
}

Result<ExportCursor> parseExportCursor(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("file") || !j["file"].is_string() ||
      !j.contains("offset") || !j["offset"].is_number_unsigned() || !j.contains("seq") ||
      !j["seq"].is_number_unsigned()) {
    return makeError(ErrorCode::InvalidInput,
                     "the export cursor must be {\"file\": text, \"offset\": n, \"seq\": n}");
  }
  return ExportCursor{j["file"].get<std::string>(), j["offset"].get<std::uint64_t>(),
                      j["seq"].get<std::uint64_t>()};
}

AuditExporter::AuditExporter(AuditExporterOptions options, std::unique_ptr<AuditTransport> transport)
    : options_(std::move(options)), transport_(std::move(transport)) {}

AuditExporter::~AuditExporter() { stop(); }

Result<void> AuditExporter::start() {
  auto path = options_.folder / kExportCursorFileName;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto cursor = parseExportCursor(text.str());
    if (!cursor) return makeError(ErrorCode::InvalidInput, cursor.error().message, path.string());
    cursor_ = cursor.value();
    exported_seq_ = cursor_.seq;
  }
  stopping_ = false;
  thread_ = std::thread([this] {
    nameThisThread("audit-export");
    run();
  });
  log::info("audit_export_started", {{"seq", std::to_string(cursor_.seq)}});
  return okResult();
}

void AuditExporter::notifyWritten() {
  std::lock_guard lock(mutex_);
  notified_ = true;
  wake_.notify_one();
}

bool AuditExporter::waitExported(std::uint64_t seq, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  notifyWritten();
  while (exported_seq_.load() < seq) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void AuditExporter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  thread_.join();
  transport_->close();
}

void AuditExporter::waitFor(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_ || notified_; });
  notified_ = false;
}

void AuditExporter::run() {
  auto backoff = options_.initial_backoff;
  bool down = false;
  std::uint64_t failed_since = 0;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    bool sent_any = false;
    if (!sendSome(sent_any)) {
      if (!down) {
        log::warn("audit_repository_unavailable", {{"seq", std::to_string(cursor_.seq + 1)}});
        down = true;
        failed_since = cursor_.seq;
      }
      transport_->close();
      // Only stop() ends a backoff early: new records do not make the repository come back.
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, backoff, [this] { return stopping_; });
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    if (down && sent_any) {
      log::info("audit_repository_back", {{"from_seq", std::to_string(failed_since + 1)}});
      down = false;
    }
    backoff = options_.initial_backoff;
    if (!sent_any) waitFor(options_.poll_interval);
  }
  saveCursor();
}

bool AuditExporter::advanceToNextFile() {
  auto files = listTrailFiles(options_.folder);
  for (const auto& file : files) {
    std::string name = file.filename().string();
    if (cursor_.file.empty() || name > cursor_.file) {
      // Names sort in chain order, so the first name after the cursor's is the next file.
      cursor_.file = name;
      cursor_.offset = 0;
      return true;
    }
  }
  return false;
}

bool AuditExporter::sendSome(bool& sent_any) {
  if (cursor_.file.empty() && !advanceToNextFile()) return true;
  auto file = options_.folder / cursor_.file;
  Chunk chunk = readLinesFrom(file, cursor_.offset, options_.batch);
  if (chunk.lines.empty()) {
    // Done with this file once a later one exists (the writer never goes back).
    std::error_code ec;
    bool file_gone = !std::filesystem::exists(file, ec);
    auto files = listTrailFiles(options_.folder);
    bool later = !files.empty() && files.back().filename().string() > cursor_.file;
    if (later && (file_gone || cursor_.offset >= std::filesystem::file_size(file, ec))) {
      advanceToNextFile();
      saveCursor();
      sent_any = true;  // look again at once
    }
    return true;
  }
  for (const auto& [line, end] : chunk.lines) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    auto parsed = parseRecordLine(line);
    if (!parsed) {
      // Not a record (edited by hand?): `audit verify` names it; the rest still goes out.
      log::error("audit_export_skipped", {{"file", cursor_.file},
                                          {"offset", std::to_string(cursor_.offset)},
                                          {"reason", parsed.error().message}});
      cursor_.offset = end;
      continue;
    }
    std::string message =
        syslogMessage(*parsed, atnaMessageXml(*parsed, options_.source), options_.header);
    auto sent = transport_->send(message);
    if (!sent) {
      log::debug("audit_export_send_failed", {{"reason", sent.error().describe()}});
      saveCursor();
      return false;
    }
    cursor_.offset = end;
    cursor_.seq = parsed->seq;
    exported_seq_ = parsed->seq;
    sent_any = true;
  }
  saveCursor();
  return true;
}

void AuditExporter::saveCursor() {
  auto path = options_.folder / kExportCursorFileName;
  auto temporary = options_.folder / (std::string(kExportCursorFileName) + ".tmp");
  std::string text = formatExportCursor(cursor_);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    log::error("audit_export_cursor_unsaved", {{"file", temporary.string()}});
    return;
  }
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  // Without fsync: a cursor lost in a crash only means sending some messages again.
  if (!written || ::rename(temporary.c_str(), path.c_str()) != 0) {
    log::error("audit_export_cursor_unsaved", {{"file", path.string()}});
  }
}

}  // namespace sundial::engine::audit
