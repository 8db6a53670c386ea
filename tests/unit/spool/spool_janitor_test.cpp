#include "adapters/spool/spool_janitor.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"

namespace sundial::adapters::spool {
namespace {

TEST(SpoolJanitor, RemovesInlineWhenNotStarted) {
  testing::FakeSpool inner;
  SpoolJanitor janitor(inner);
  ASSERT_TRUE(janitor.remove("/spool/1/1.dcm").ok());
  ASSERT_EQ(inner.removed.size(), 1u);
}

TEST(SpoolJanitor, StopRemovesEverythingQueued) {
  testing::FakeSpool inner;
  SpoolJanitor janitor(inner);
  janitor.start();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(janitor.remove("/spool/1/" + std::to_string(i) + ".dcm").ok());
  }
  janitor.stop();
  EXPECT_EQ(inner.removed.size(), 100u);
  EXPECT_EQ(janitor.queuedForTest(), 0u);
  // After stop, removal is inline again.
  ASSERT_TRUE(janitor.remove("/spool/1/late.dcm").ok());
  EXPECT_EQ(inner.removed.size(), 101u);
}

TEST(SpoolJanitor, PassesEverythingElseThrough) {
  testing::FakeSpool inner;
  SpoolJanitor janitor(inner);
  auto committed = janitor.commit("tmp", "1.2", "1.2.3");
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(janitor.listCommitted().size(), 1u);
}

}  // namespace
}  // namespace sundial::adapters::spool
