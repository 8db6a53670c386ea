// Regression (issue 6, found by the HTTP fuzz target): epoch milliseconds beyond what a
// UtcTime holds (about year 2262) overflowed its nanosecond count, which is undefined
// behaviour, in due_ms, due_before/due_after and observed_at_ms. Refused now, and
// fromEpochMs clamps whatever else gets there.
#include <gtest/gtest.h>

#include "engine/app/report_request.h"
#include "engine/app/task_request.h"
#include "engine/domain/clock.h"

namespace sundial::app {
namespace {

TEST(EpochMs, Issue6BeyondUtcTimeIsRefusedInBodiesAndQueries) {
  for (const char* ms : {"92233720368547", "9223372036854775807"}) {
    EXPECT_FALSE(taskFilterFrom({{"due_before", ms}})) << ms;
    EXPECT_FALSE(newTaskFrom(std::string(R"({"priority":"STAT","due_ms":)") + ms + "}")) << ms;
    EXPECT_FALSE(parseReportRequest(std::string(R"({"site":"D","text":"t","observed_at_ms":)") +
                                    ms + "}"))
        << ms;
  }
  // The last millisecond a UtcTime holds is still a time.
  const std::string last = std::to_string(kMaxUtcEpochMs);
  auto filter = taskFilterFrom({{"due_after", last}});
  ASSERT_TRUE(filter);
  EXPECT_EQ(toEpochMs(*filter->due_after), kMaxUtcEpochMs);
}

TEST(EpochMs, Issue6FromEpochMsClampsInsteadOfOverflowing) {
  EXPECT_EQ(toEpochMs(fromEpochMs(1'800'000'000'000)), 1'800'000'000'000);
  EXPECT_EQ(toEpochMs(fromEpochMs(9223372036854775807LL)), kMaxUtcEpochMs);
  EXPECT_EQ(toEpochMs(fromEpochMs(-9223372036854775807LL)), kMinUtcEpochMs);
  EXPECT_TRUE(isUtcEpochMs(0));
  EXPECT_FALSE(isUtcEpochMs(kMaxUtcEpochMs + 1));
}

}  // namespace
}  // namespace sundial::app
