#include "adapters/spool/recycled_files.h"

#include <gtest/gtest.h>

namespace sundial::adapters::spool {
namespace {

RecycledFiles::File file(const std::string& name, std::uintmax_t bytes) {
  return {std::filesystem::path("/spool/tmp") / name, bytes};
}

TEST(RecycledFiles, RefusesAFileLargerThanTheFileLimit) {
  RecycledFiles pool({10, 1000, 100});
  EXPECT_FALSE(pool.reserve(101));
  EXPECT_TRUE(pool.reserve(100));
  EXPECT_EQ(pool.files(), 1u);
}

TEST(RecycledFiles, IsBoundedInCount) {
  RecycledFiles pool({3, 1000, 100});
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.reserve(1));
    pool.add(file(std::to_string(i), 1));
  }
  EXPECT_FALSE(pool.reserve(0));  // even an empty file takes an inode
  EXPECT_EQ(pool.files(), 3u);
}

TEST(RecycledFiles, IsBoundedInTotalBytes) {
  RecycledFiles pool({100, 250, 100});
  ASSERT_TRUE(pool.reserve(100));
  pool.add(file("a", 100));
  ASSERT_TRUE(pool.reserve(100));
  pool.add(file("b", 100));
  EXPECT_FALSE(pool.reserve(51));
  EXPECT_TRUE(pool.reserve(50));  // exactly at the limit
  pool.add(file("c", 50));
  EXPECT_EQ(pool.bytes(), 250u);
  EXPECT_TRUE(pool.reserve(0));
}

// A reservation counts at once, so two threads cannot both pass the check for the last room.
TEST(RecycledFiles, AReservationHoldsItsRoomUntilReleased) {
  RecycledFiles pool({1, 100, 100});
  ASSERT_TRUE(pool.reserve(60));
  EXPECT_FALSE(pool.reserve(10));
  pool.release(60);  // the rename failed
  EXPECT_EQ(pool.files(), 0u);
  EXPECT_EQ(pool.bytes(), 0u);
  EXPECT_TRUE(pool.reserve(100));
}

TEST(RecycledFiles, TakeHandsOutTheLastAddedAndFreesItsRoom) {
  RecycledFiles pool({2, 100, 100});
  ASSERT_TRUE(pool.reserve(30));
  pool.add(file("older", 30));
  ASSERT_TRUE(pool.reserve(70));
  pool.add(file("newer", 70));
  EXPECT_FALSE(pool.reserve(0));

  auto taken = pool.take();
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->path.filename(), "newer");
  EXPECT_EQ(pool.files(), 1u);
  EXPECT_EQ(pool.bytes(), 30u);
  EXPECT_TRUE(pool.reserve(70));
  pool.release(70);

  ASSERT_TRUE(pool.take().has_value());
  EXPECT_FALSE(pool.take().has_value());
}

TEST(RecycledFiles, TakeAllEmptiesThePool) {
  RecycledFiles pool({5, 100, 100});
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(pool.reserve(10));
    pool.add(file(std::to_string(i), 10));
  }
  EXPECT_EQ(pool.takeAll().size(), 4u);
  EXPECT_EQ(pool.files(), 0u);
  EXPECT_EQ(pool.bytes(), 0u);
}

}  // namespace
}  // namespace sundial::adapters::spool
