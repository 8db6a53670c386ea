#include "engine/orders/study_time.h"

#include <gtest/gtest.h>

namespace sundial::engine {
namespace {

constexpr long long k20261130 = 1'795'996'800'000;

long long ms(std::optional<UtcTime> t) { return t ? toEpochMs(*t) : -1; }

TEST(StudyTime, DicomDateAndTimeAsWallClock) {
  EXPECT_EQ(ms(parseDicomDateTime("20261130", "013000")), k20261130 + 5'400'000);
  EXPECT_EQ(ms(parseDicomDateTime("20261130", "0130")), k20261130 + 5'400'000);
  EXPECT_EQ(ms(parseDicomDateTime("20261130", "")), k20261130);
  EXPECT_EQ(ms(parseDicomDateTime("20261130", "01:30:00.5")), k20261130 + 5'400'500);
  EXPECT_EQ(ms(parseDicomDateTime("20261130", "013000.123456 ")), k20261130 + 5'400'123);
}

TEST(StudyTime, BadValuesFallBackToArrival) {
  EXPECT_FALSE(parseDicomDateTime("2026", ""));
  EXPECT_FALSE(parseDicomDateTime("20261340", ""));
  EXPECT_FALSE(parseDicomDateTime("20261130", "2561"));
  EXPECT_FALSE(parseDicomDateTime("20261130", "013"));
  StudyFacts facts;
  facts.study_date = "garbage!";
  facts.first_received_at = fromEpochMs(42);
  EXPECT_EQ(toEpochMs(studyTimeOf(facts)), 42);
  facts.study_date = "20261130";
  EXPECT_EQ(toEpochMs(studyTimeOf(facts)), k20261130);
}

}  // namespace
}  // namespace sundial::engine
