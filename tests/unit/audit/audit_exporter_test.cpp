#include "engine/audit/audit_exporter.h"

#include <gtest/gtest.h>

#include <deque>
#include <thread>

#include "audit_test_support.h"
#include "engine/audit/trail_files.h"
#include "engine/audit/trail_writer.h"

namespace sundial::engine::audit {
namespace {

using namespace std::chrono_literals;

// Keeps what it is sent; fails while `down` is set. Shared with the test through a pointer
// (the exporter owns the transport).
struct RecordingTransport final : AuditTransport {
  struct Shared {
    std::mutex mutex;
    std::vector<std::string> sent;
    bool down = false;
    int failures = 0;
    int closes = 0;
  };
  explicit RecordingTransport(std::shared_ptr<Shared> shared) : shared(std::move(shared)) {}
  Result<void> send(std::string_view message) override {
    std::lock_guard lock(shared->mutex);
    if (shared->down) {
      ++shared->failures;
      return makeError(ErrorCode::Unavailable, "repository down");
    }
    shared->sent.emplace_back(message);
    return okResult();
  }
  void close() override {
    std::lock_guard lock(shared->mutex);
    ++shared->closes;
  }
  std::shared_ptr<Shared> shared;
};

class AuditExporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuditTrailOptions o;
    o.folder = folder();
    o.anchor_key = "k";
    o.fsync = false;
    o.max_file_bytes = 1500;  // a new file every few records: the exporter must follow
    writer_ = std::make_unique<AuditTrailWriter>(o, clock_);
    ASSERT_TRUE(writer_->start());
  }
  void TearDown() override {
    if (exporter_) exporter_->stop();
    writer_->stop();
  }
  void startExporter() {
    AuditExporterOptions o;
    o.folder = folder();
    o.source = {"node-a", "TELERAD", "SUNDIAL"};
    o.initial_backoff = 5ms;
    o.max_backoff = 20ms;
    o.poll_interval = 10ms;
    o.batch = 3;
    exporter_ = std::make_unique<AuditExporter>(o, std::make_unique<RecordingTransport>(shared_));
    ASSERT_TRUE(exporter_->start());
  }
  void write(int count) {
    for (int i = 0; i < count; ++i) {
      AuditRecord r = test::sampleRecord(next_++);
      writer_->record(r);
      writer_->flush();
    }
  }
  std::vector<std::string> sent() {
    std::lock_guard lock(shared_->mutex);
    return shared_->sent;
  }
  std::filesystem::path folder() const { return temp_.path() / "audit"; }

  test::TempFolder temp_;
  test::ManualClock clock_;
  std::unique_ptr<AuditTrailWriter> writer_;
  std::unique_ptr<AuditExporter> exporter_;
  std::shared_ptr<RecordingTransport::Shared> shared_ = std::make_shared<RecordingTransport::Shared>();
  int next_ = 0;
};

TEST_F(AuditExporterTest, SendsEveryRecordInOrderAcrossFiles) {
  write(10);
  ASSERT_GT(listTrailFiles(folder()).size(), 2u);
  startExporter();
  ASSERT_TRUE(exporter_->waitExported(10, 10s));
  auto messages = sent();
  ASSERT_EQ(messages.size(), 10u);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_NE(messages[i].find("[sundial@32473 seq=\"" + std::to_string(i + 1) + "\""), std::string::npos)
        << messages[i];
    EXPECT_NE(messages[i].find("<EventID csd-code=\"110104\""), std::string::npos);
  }
  write(2);
  ASSERT_TRUE(exporter_->waitExported(12, 10s)) << "new records go out without a restart";
}

TEST_F(AuditExporterTest, RepositoryDownThenUpDeliversEverythingOnce) {
  shared_->down = true;
  startExporter();
  write(4);
  // A few failed tries with backoff (polled with a deadline, not a fixed sleep).
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::lock_guard lock(shared_->mutex);
    if (shared_->failures >= 2) break;
  }
  EXPECT_EQ(exporter_->exportedSeq(), 0u);
  {
    std::lock_guard lock(shared_->mutex);
    EXPECT_GT(shared_->failures, 0);
    EXPECT_GT(shared_->closes, 0) << "a failed connection is closed before the retry";
    shared_->down = false;
  }
  ASSERT_TRUE(exporter_->waitExported(4, 10s));
  EXPECT_EQ(sent().size(), 4u);
}

TEST_F(AuditExporterTest, RestartResumesAtTheCursor) {
  write(5);
  startExporter();
  ASSERT_TRUE(exporter_->waitExported(5, 10s));
  exporter_->stop();
  exporter_.reset();
  auto cursor = parseExportCursor(test::readLines(folder() / kExportCursorFileName).at(0));
  ASSERT_TRUE(cursor);
  EXPECT_EQ(cursor->seq, 5u);
  write(2);
  auto before = sent().size();
  startExporter();
  ASSERT_TRUE(exporter_->waitExported(7, 10s));
  auto messages = sent();
  ASSERT_EQ(messages.size(), before + 2) << "nothing sent twice after a clean stop";
  EXPECT_NE(messages[before].find("seq=\"6\""), std::string::npos);
}

TEST(ExportCursor, RoundTripsAndRefusesGarbage) {
  ExportCursor c{"trail-20270115-0002.jsonl", 1234, 17};
  auto back = parseExportCursor(formatExportCursor(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->file, c.file);
  EXPECT_EQ(back->offset, 1234u);
  EXPECT_EQ(back->seq, 17u);
  EXPECT_EQ(parseExportCursor("{\"file\":1}").error().code, ErrorCode::InvalidInput);
}

}  // namespace
}  // namespace sundial::engine::audit
