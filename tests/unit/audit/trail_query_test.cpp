#include "engine/audit/trail_query.h"

#include <gtest/gtest.h>

#include "audit_test_support.h"
#include "engine/audit/trail_writer.h"

namespace sundial::engine::audit {
namespace {

// Three days of records: day 1 has patient A's study, day 2 patient B's, day 3 A again.
class TrailQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuditTrailOptions o;
    o.folder = folder();
    o.anchor_key = "k";
    o.fsync = false;
    AuditTrailWriter writer(o, clock_);
    ASSERT_TRUE(writer.start());
    auto add = [&](const char* action, const char* actor, const char* patient, const char* study) {
      AuditRecord r;
      r.action = action;
      r.actor = actor;
      r.patient_id = patient;
      r.study_uid = study;
      writer.record(r);
      writer.flush();
      clock_.advance(std::chrono::minutes(1));
    };
    add("instance.received", "MODALITY", "A", "1.1");
    add("api.view", "dr.lee", "A", "1.1");
    clock_.advance(std::chrono::hours(24));
    add("instance.received", "MODALITY", "B", "2.2");
    add("order.received", "RIS", "B", "2.2");
    clock_.advance(std::chrono::hours(24));
    add("api.view", "dr.\"quote\"", "A", "1.1");
    writer.stop();
  }
  std::filesystem::path folder() const { return temp_.path() / "audit"; }
  static UtcTime day(int n) {
    return fromEpochMs(test::ManualClock::kStartUtcMs + (n - 1) * 86'400'000ll - 8 * 3'600'000ll);
  }

  test::TempFolder temp_;
  test::ManualClock clock_;
};

std::vector<std::uint64_t> seqs(const TrailQueryResult& result) {
  std::vector<std::uint64_t> out;
  for (const auto& r : result.records) out.push_back(r.seq);
  return out;
}

TEST_F(TrailQueryTest, ByPatient) {
  TrailQuery q;
  q.patient_id = "A";
  EXPECT_EQ(seqs(queryTrail(folder(), q)), (std::vector<std::uint64_t>{1, 2, 5}));
}

TEST_F(TrailQueryTest, ByUserWithCharactersJsonEscapes) {
  TrailQuery q;
  q.user = "dr.\"quote\"";
  EXPECT_EQ(seqs(queryTrail(folder(), q)), (std::vector<std::uint64_t>{5}));
}

TEST_F(TrailQueryTest, ByStudyAndActionFamily) {
  TrailQuery q;
  q.study_uid = "2.2";
  q.action = "order.";
  EXPECT_EQ(seqs(queryTrail(folder(), q)), (std::vector<std::uint64_t>{4}));
  q.action = "order";
  EXPECT_TRUE(queryTrail(folder(), q).records.empty()) << "without the dot: exact";
}

TEST_F(TrailQueryTest, ADayRangeReadsOnlyTheFilesThatCanHoldIt) {
  TrailQuery q;
  q.from = day(2);
  q.to = day(3);
  auto result = queryTrail(folder(), q);
  EXPECT_EQ(seqs(result), (std::vector<std::uint64_t>{3, 4}));
  EXPECT_EQ(result.files_read, 2u) << "day 1 (may hold early stamps) and day 2, not day 3";
}

TEST_F(TrailQueryTest, LimitSaysWhenMoreMatched) {
  TrailQuery q;
  q.limit = 2;
  auto result = queryTrail(folder(), q);
  EXPECT_EQ(seqs(result), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(result.truncated);
}

}  // namespace
}  // namespace sundial::engine::audit
