#include "hl7/mapping/hl7_time.h"

#include <gtest/gtest.h>

namespace sundial::hl7::mapping {
namespace {

long long ms(Result<UtcTime> t) { return t.ok() ? toEpochMs(t.value()) : -1; }

TEST(Hl7Time, ReadsEveryPrecision) {
  EXPECT_EQ(ms(parseHl7Time("2026", "ORC-9")), 1767225600000);  // 2026-01-01T00:00Z
  EXPECT_EQ(ms(parseHl7Time("20261130", "ORC-9")), 1795996800000);
  EXPECT_EQ(ms(parseHl7Time("202611300130", "ORC-9")), 1795996800000 + 5400000);
  EXPECT_EQ(ms(parseHl7Time("20261130013000.25", "ORC-9")), 1795996800000 + 5400250);
}

TEST(Hl7Time, AnOffsetIsTakenToUtc) {
  EXPECT_EQ(ms(parseHl7Time("202611300130+0100", "ORC-9")), 1795996800000 + 1800000);
  EXPECT_EQ(ms(parseHl7Time("202611292330-0200", "OBR-7")), 1795996800000 + 5400000);
}

TEST(Hl7Time, GarbageNamesTheField) {
  auto bad = parseHl7Time("Aug 15, 1942", "ORC-9");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(bad.error().message.find("ORC-9"), std::string::npos);
  EXPECT_FALSE(parseHl7Time("20261340", "OBR-7").ok());   // month 13
  EXPECT_FALSE(parseHl7Time("20260230", "OBR-7").ok());   // 30 February
  EXPECT_FALSE(parseHl7Time("2026113", "OBR-7").ok());    // odd length
  EXPECT_FALSE(parseHl7Time("20261130+01", "OBR-7").ok());
  EXPECT_FALSE(parseHl7Time("", "OBR-7").ok());
}

}  // namespace
}  // namespace sundial::hl7::mapping
