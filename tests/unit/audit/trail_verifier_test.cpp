#include "engine/audit/trail_verifier.h"

#include <gtest/gtest.h>

#include "audit_test_support.h"
#include "engine/audit/anchor.h"
#include "engine/audit/stored_record.h"
#include "engine/audit/trail_files.h"
#include "engine/audit/trail_writer.h"

namespace sundial::engine::audit {
namespace {

using test::readLines;
using test::writeLines;

const std::string kKey = "fedcba9876543210fedcba9876543210";

// A trail of 10 records in one file, anchored at stop (seq 10).
class TrailVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuditTrailOptions o;
    o.folder = folder();
    o.anchor_key = kKey;
    o.fsync = false;
    AuditTrailWriter writer(o, clock_);
    ASSERT_TRUE(writer.start());
    for (int i = 0; i < 10; ++i) writer.record(test::sampleRecord(i));
    writer.stop();
    file_ = listTrailFiles(folder()).at(0);
    lines_ = readLines(file_);
    ASSERT_EQ(lines_.size(), 10u);
  }
  std::filesystem::path folder() const { return temp_.path() / "audit"; }
  TrailProblem problem() {
    auto report = verifyTrail(folder(), kKey);
    EXPECT_FALSE(report.intact());
    return report.problem.value_or(TrailProblem{});
  }
  // Re-seals records from `from` (0-based line) on, as someone rewriting the chain would.
  void rechain(std::size_t from) {
    std::string prev = from == 0 ? kGenesisHash : parseRecordLine(lines_[from - 1])->hash;
    for (std::size_t i = from; i < lines_.size(); ++i) {
      StoredRecord r = parseRecordLine(lines_[i]).value();
      r.prev = prev;
      lines_[i] = sealRecord(r);
      prev = r.hash;
    }
  }

  test::TempFolder temp_;
  test::ManualClock clock_;
  std::filesystem::path file_;
  std::vector<std::string> lines_;
};

TEST_F(TrailVerifierTest, IntactTrailPasses) {
  auto report = verifyTrail(folder(), kKey);
  ASSERT_TRUE(report.intact()) << report.problem->describe();
  EXPECT_EQ(report.records, 10u);
  EXPECT_EQ(report.last_seq, 10u);
  EXPECT_EQ(report.anchored_seq, 10u);
  EXPECT_EQ(report.unanchored_records, 0u);
}

TEST_F(TrailVerifierTest, ChangedRecordIsNamed) {
  auto pos = lines_[3].find("PAT3");
  ASSERT_NE(pos, std::string::npos);
  lines_[3].replace(pos, 4, "PAT9");
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Changed);
  EXPECT_EQ(p.file, file_.filename().string());
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.seq, 4u);
  EXPECT_NE(p.describe().find(":4 seq 4: changed: its content does not match its hash"),
            std::string::npos) << p.describe();
}

TEST_F(TrailVerifierTest, ChangedAndRehashedRecordIsNamed) {
  StoredRecord r = parseRecordLine(lines_[5]).value();
  r.record.patient_id = "SOMEONE-ELSE";
  lines_[5] = sealRecord(r);  // its own hash is right again; the next record's prev is not
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Changed);
  EXPECT_EQ(p.line, 6);
  EXPECT_EQ(p.seq, 6u);
}

TEST_F(TrailVerifierTest, WholeChainRecomputedAfterAChangeIsCaughtByTheAnchor) {
  StoredRecord r = parseRecordLine(lines_[2]).value();
  r.record.actor = "nobody";
  lines_[2] = sealRecord(r);
  rechain(3);
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::BadAnchor);
  EXPECT_EQ(p.seq, 10u);
  EXPECT_EQ(p.line, 10);
}

TEST_F(TrailVerifierTest, RemovedRecordIsNamed) {
  lines_.erase(lines_.begin() + 4);  // seq 5
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Missing);
  EXPECT_EQ(p.line, 5);
  EXPECT_EQ(p.seq, 6u);
  EXPECT_NE(p.message.find("seq 5 before it is missing"), std::string::npos) << p.message;
}

TEST_F(TrailVerifierTest, RemovedFirstRecordIsNamed) {
  lines_.erase(lines_.begin());
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Missing);
  EXPECT_EQ(p.line, 1);
  EXPECT_EQ(p.seq, 2u);
}

TEST_F(TrailVerifierTest, ReorderedRecordsAreNamed) {
  std::swap(lines_[6], lines_[7]);
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Reordered);
  EXPECT_EQ(p.line, 7);
  EXPECT_EQ(p.seq, 8u);
  EXPECT_NE(p.message.find("seq 7 belongs (it is at line 8)"), std::string::npos) << p.message;
}

TEST_F(TrailVerifierTest, DuplicatedRecordIsOutOfOrder) {
  lines_.insert(lines_.begin() + 3, lines_[1]);
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Reordered);
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.seq, 2u);
}

TEST_F(TrailVerifierTest, TruncatedTailIsCaughtByTheAnchor) {
  lines_.resize(7);
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Truncated);
  EXPECT_EQ(p.line, 7);
  EXPECT_EQ(p.seq, 7u);
  EXPECT_NE(p.message.find("records 8..10 are missing"), std::string::npos) << p.message;
}

TEST_F(TrailVerifierTest, ReformattedLineIsAChange) {
  lines_[0].insert(1, " ");  // same JSON value, not the canonical text
  writeLines(file_, lines_);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Changed);
  EXPECT_EQ(p.line, 1);
  EXPECT_NE(p.message.find("canonical"), std::string::npos);
}

TEST_F(TrailVerifierTest, ForgedAnchorIsNamed) {
  auto anchor_file = folder() / kAnchorFileName;
  auto anchors = readLines(anchor_file);
  Anchor forged = parseAnchorLine(anchors.back()).value();
  forged.seq = 12;
  anchors.push_back(sealAnchor(forged, "not the key at all, not the key.."));
  writeLines(anchor_file, anchors);
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::BadAnchor);
  EXPECT_EQ(p.file, kAnchorFileName);
  EXPECT_EQ(p.line, static_cast<int>(anchors.size()));
}

TEST_F(TrailVerifierTest, WrongKeyFailsTheAnchors) {
  auto report = verifyTrail(folder(), "another key, another key, other");
  ASSERT_FALSE(report.intact());
  EXPECT_EQ(report.problem->kind, TrailProblemKind::BadAnchor);
}

TEST_F(TrailVerifierTest, RemovedAnchorFileIsABadAnchor) {
  std::filesystem::remove(folder() / kAnchorFileName);
  EXPECT_EQ(problem().kind, TrailProblemKind::BadAnchor);
}

TEST_F(TrailVerifierTest, RecordsAfterTheLastAnchorAreReportedAsUnanchored) {
  // What kill -9 leaves: records written after the last anchor.
  StoredRecord r = parseRecordLine(lines_.back()).value();
  for (int i = 0; i < 3; ++i) {
    StoredRecord next;
    next.seq = r.seq + 1;
    next.prev = r.hash;
    next.record = test::sampleRecord(100 + i);
    next.record.at = fromEpochMs(1'800'000'000'000);
    lines_.push_back(sealRecord(next));
    r = next;
  }
  writeLines(file_, lines_);
  auto report = verifyTrail(folder(), kKey);
  ASSERT_TRUE(report.intact()) << report.problem->describe();
  EXPECT_EQ(report.unanchored_records, 3u);
}

TEST_F(TrailVerifierTest, IncompleteLineInAnEarlierFileIsAChange) {
  std::ofstream(file_, std::ios::app) << "{\"seq\":11";
  writeLines(folder() / "trail-20991231-0001.jsonl", {});
  TrailProblem p = problem();
  EXPECT_EQ(p.kind, TrailProblemKind::Changed);
  EXPECT_EQ(p.line, 11);
}

}  // namespace
}  // namespace sundial::engine::audit
