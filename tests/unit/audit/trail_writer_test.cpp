#include "engine/audit/trail_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "audit_test_support.h"
#include "engine/audit/anchor.h"
#include "engine/audit/stored_record.h"
#include "engine/audit/trail_files.h"
#include "engine/audit/trail_verifier.h"

namespace sundial::engine::audit {
namespace {

using test::ManualClock;
using test::readLines;
using test::sampleRecord;
using test::TempFolder;

const std::string kKey = "0123456789abcdef0123456789abcdef";

class TrailWriterTest : public ::testing::Test {
 protected:
  AuditTrailOptions options() {
    AuditTrailOptions o;
    o.folder = temp_.path() / "audit";
    o.anchor_key = kKey;
    o.fsync = false;  // durability is the integration tests' business; here: order and content
    return o;
  }
  std::vector<StoredRecord> readTrail() {
    std::vector<StoredRecord> records;
    for (const auto& file : listTrailFiles(temp_.path() / "audit")) {
      for (const auto& line : readLines(file)) records.push_back(parseRecordLine(line).value());
    }
    return records;
  }
  TempFolder temp_;
  ManualClock clock_;
};

TEST_F(TrailWriterTest, RecordsAreNumberedAndChainedInOrder) {
  AuditTrailWriter writer(options(), clock_);
  ASSERT_TRUE(writer.start());
  for (int i = 0; i < 5; ++i) writer.record(sampleRecord(i));
  writer.flush();
  auto records = readTrail();
  ASSERT_EQ(records.size(), 5u);
  std::string prev = kGenesisHash;
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].seq, i + 1);
    EXPECT_EQ(records[i].prev, prev);
    EXPECT_EQ(records[i].record.study_uid, "1.2.3." + std::to_string(i));
    EXPECT_EQ(records[i].record.at, clock_.utcNow()) << "an empty time is stamped by the sink";
    prev = records[i].hash;
  }
  EXPECT_EQ(writer.head().seq, 5u);
  EXPECT_EQ(writer.head().hash, prev);
  writer.stop();
  EXPECT_TRUE(verifyTrail(options().folder, kKey).intact());
}

TEST_F(TrailWriterTest, TimeGivenByTheCallerIsKept) {
  AuditTrailWriter writer(options(), clock_);
  ASSERT_TRUE(writer.start());
  AuditRecord r = sampleRecord(1);
  r.at = fromEpochMs(1'790'000'000'456);
  writer.record(r);
  writer.stop();
  EXPECT_EQ(toEpochMs(readTrail().at(0).record.at), 1'790'000'000'456);
}

TEST_F(TrailWriterTest, RestartContinuesTheChain) {
  std::string head_hash;
  {
    AuditTrailWriter writer(options(), clock_);
    ASSERT_TRUE(writer.start());
    for (int i = 0; i < 3; ++i) writer.record(sampleRecord(i));
    writer.stop();
    head_hash = writer.head().hash;
  }
  AuditTrailWriter again(options(), clock_);
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.head().seq, 3u);
  again.record(sampleRecord(9));
  again.stop();
  auto records = readTrail();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[3].seq, 4u);
  EXPECT_EQ(records[3].prev, head_hash);
  auto report = verifyTrail(options().folder, kKey);
  EXPECT_TRUE(report.intact()) << report.problem->describe();
  EXPECT_EQ(report.records, 4u);
}

TEST_F(TrailWriterTest, TornLastLineIsCutAtStartAndRecorded) {
  {
    AuditTrailWriter writer(options(), clock_);
    ASSERT_TRUE(writer.start());
    writer.record(sampleRecord(1));
    writer.stop();
  }
  auto file = listTrailFiles(options().folder).back();
  {
    std::ofstream out(file, std::ios::app);
    out << "{\"seq\":2,\"time\":\"2027-01-15T08:";  // a write cut by kill -9
  }
  EXPECT_GT(verifyTrail(options().folder, kKey).torn_tail_bytes, 0u);
  AuditTrailWriter writer(options(), clock_);
  ASSERT_TRUE(writer.start());
  writer.stop();
  auto records = readTrail();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].record.action, "audit.torn_tail_removed");
  EXPECT_EQ(records[1].seq, 2u);
  EXPECT_TRUE(verifyTrail(options().folder, kKey).intact());
}

TEST_F(TrailWriterTest, UnreadableLastRecordRefusesToStart) {
  std::filesystem::create_directories(options().folder);
  test::writeLines(options().folder / "trail-20270115-0001.jsonl", {"garbage"});
  AuditTrailWriter writer(options(), clock_);
  auto started = writer.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(started.error().message.find("audit verify"), std::string::npos);
}

TEST_F(TrailWriterTest, FilesRotateBySizeAndByDay) {
  AuditTrailOptions o = options();
  o.max_file_bytes = 2000;  // a few records per file
  AuditTrailWriter writer(o, clock_);
  ASSERT_TRUE(writer.start());
  for (int i = 0; i < 20; ++i) {
    writer.record(sampleRecord(i));
    writer.flush();
  }
  clock_.advance(std::chrono::hours(24));
  writer.record(sampleRecord(99));
  writer.stop();
  auto files = listTrailFiles(o.folder);
  ASSERT_GT(files.size(), 3u);
  EXPECT_EQ(files.front().filename().string(), "trail-20270115-0001.jsonl");
  EXPECT_EQ(files.back().filename().string(), "trail-20270116-0001.jsonl");
  for (const auto& f : files) EXPECT_LE(std::filesystem::file_size(f), 2000u) << f;
  auto report = verifyTrail(o.folder, kKey);
  EXPECT_TRUE(report.intact()) << report.problem->describe();
  EXPECT_EQ(report.records, 21u);
  EXPECT_EQ(report.files, files.size());
}

TEST_F(TrailWriterTest, ConcurrentCallersLoseNothing) {
  AuditTrailWriter writer(options(), clock_);
  ASSERT_TRUE(writer.start());
  constexpr int kThreads = 4;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < kEach; ++i) {
        AuditRecord r = sampleRecord(i);
        r.actor = "thread" + std::to_string(t);
        writer.record(std::move(r));
      }
    });
  }
  for (auto& th : threads) th.join();
  writer.stop();
  auto records = readTrail();
  ASSERT_EQ(records.size(), static_cast<std::size_t>(kThreads * kEach));
  std::map<std::string, int> per_thread;
  for (const auto& r : records) ++per_thread[r.record.actor];
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(per_thread["thread" + std::to_string(t)], kEach);
  EXPECT_TRUE(verifyTrail(options().folder, kKey).intact());
}

TEST_F(TrailWriterTest, AnchorsTheHeadAtStartPeriodicallyAndAtStop) {
  AuditTrailWriter writer(options(), clock_);
  ASSERT_TRUE(writer.start());
  writer.record(sampleRecord(1));
  writer.flush();
  clock_.advance(std::chrono::seconds(6));  // past the 5 s anchor interval
  writer.record(sampleRecord(2));
  writer.flush();
  writer.record(sampleRecord(3));
  writer.stop();
  auto anchors = readLines(options().folder / kAnchorFileName);
  ASSERT_EQ(anchors.size(), 3u);
  EXPECT_EQ(parseAnchorLine(anchors[0])->seq, 0u);
  EXPECT_EQ(parseAnchorLine(anchors[1])->seq, 2u);
  EXPECT_EQ(parseAnchorLine(anchors[2])->seq, 3u);
  for (const auto& line : anchors) EXPECT_TRUE(anchorMacValid(parseAnchorLine(line).value(), kKey));
}

TEST_F(TrailWriterTest, RecordAfterStopIsRefusedNotWritten) {
  AuditTrailWriter writer(options(), clock_);
  ASSERT_TRUE(writer.start());
  writer.stop();
  writer.record(sampleRecord(1));
  EXPECT_TRUE(readTrail().empty());
}

TEST(AnchorKey, CreatedOwnerOnlyThenLoaded) {
  TempFolder temp;
  auto file = temp.path() / "anchor.key";
  EXPECT_EQ(loadAnchorKey(file, false).error().code, ErrorCode::NotFound);
  auto made = loadAnchorKey(file, true);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->size(), 32u);
  struct stat st{};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(loadAnchorKey(file, false).value(), made.value());
  test::writeLines(file, {"not hex"});
  EXPECT_EQ(loadAnchorKey(file, false).error().code, ErrorCode::InvalidInput);
}

}  // namespace
}  // namespace sundial::engine::audit
