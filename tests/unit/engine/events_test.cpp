#include "engine/domain/events.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"

namespace sundial {
namespace {

TEST(EventCodec, InstanceSpooledRoundTrips) {
  SpooledInstance i = testing::makeInstance("DEMO", "1.2.3", "1.2.3.4.5");
  i.received_at = fromEpochMs(1'800'000'000'123);
  auto decoded = decodeEvent(encodeEvent(InstanceSpooled{i}));
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  const auto& back = std::get<InstanceSpooled>(decoded.value()).instance;
  EXPECT_EQ(back.site, "DEMO");
  EXPECT_EQ(back.sop_instance_uid, "1.2.3.4.5");
  EXPECT_EQ(back.spool_path, i.spool_path);
  EXPECT_EQ(back.bytes, 1000u);
  EXPECT_EQ(back.received_at, i.received_at);
}

TEST(EventCodec, StudyCompletedRoundTrips) {
  StudyCompleted c{"1.2.3", "DEMO", fromEpochMs(42)};
  auto decoded = decodeEvent(encodeEvent(c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<StudyCompleted>(decoded.value()).study_uid, "1.2.3");
}

TEST(EventCodec, RejectsGarbageWithAClearError) {
  auto decoded = decodeEvent("Nonsense\x1f" "1");
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::InvalidInput);
  EXPECT_FALSE(decodeEvent("InstanceSpooled\x1f" "too few").ok());
}

TEST(UidValidation, AcceptsDicomUidsOnly) {
  EXPECT_TRUE(isValidUid("1.2.840.10008.5.1.4.1.1.2"));
  EXPECT_FALSE(isValidUid(""));
  EXPECT_FALSE(isValidUid("1..2"));
  EXPECT_FALSE(isValidUid(".1.2"));
  EXPECT_FALSE(isValidUid("1.2/../../etc"));
  EXPECT_FALSE(isValidUid(std::string(65, '1')));
}

}  // namespace
}  // namespace sundial
