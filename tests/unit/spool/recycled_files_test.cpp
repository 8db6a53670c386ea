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

  auto taken = pool.take(0);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->path.filename(), "newer");
  EXPECT_EQ(pool.files(), 1u);
  EXPECT_EQ(pool.bytes(), 30u);
  EXPECT_TRUE(pool.reserve(70));
  pool.release(70);

  ASSERT_TRUE(pool.take(0).has_value());
  EXPECT_FALSE(pool.take(0).has_value());
}

// A CT slice gets a slice-sized file and a radiograph a radiograph-sized one, so that writing
// over it neither allocates nor frees disk blocks.
TEST(RecycledFiles, TakeWithAnExpectedLengthHandsOutTheClosestFile) {
  RecycledFiles pool({10, 100'000'000, 50'000'000});
  for (auto [name, bytes] : {std::pair{"slice-1", 525'000u},
                             {"radiograph", 15'000'000u},
                             {"empty", 0u},
                             {"slice-2", 526'000u}}) {
    ASSERT_TRUE(pool.reserve(bytes));
    pool.add(file(name, bytes));
  }
  EXPECT_EQ(pool.take(14'000'000)->path.filename(), "radiograph");
  EXPECT_EQ(pool.take(525'100)->path.filename(), "slice-1");
  EXPECT_EQ(pool.take(100)->path.filename(), "empty");
  EXPECT_EQ(pool.take(15'000'000)->path.filename(), "slice-2");  // the only one left
  EXPECT_FALSE(pool.take(1).has_value());
  EXPECT_EQ(pool.files(), 0u);
  EXPECT_EQ(pool.bytes(), 0u);
}

TEST(RecycledFiles, TakeBreaksTiesTowardsTheMostRecent) {
  RecycledFiles pool({10, 1000, 100});
  for (auto name : {"older", "newer"}) {
    ASSERT_TRUE(pool.reserve(40));
    pool.add(file(name, 40));
  }
  EXPECT_EQ(pool.take(50)->path.filename(), "newer");
}

// Only the most recent files are compared: older ones' pages are likely out of the cache,
// and the loop runs under the mutex.
TEST(RecycledFiles, TakeComparesOnlyTheMostRecentFiles) {
  RecycledFiles pool({RecycledFiles::kFitScan + 1, 1'000'000, 1000});
  ASSERT_TRUE(pool.reserve(1000));
  pool.add(file("oldest-exact", 1000));
  for (std::size_t i = 0; i < RecycledFiles::kFitScan; ++i) {
    ASSERT_TRUE(pool.reserve(10));
    pool.add(file("recent-" + std::to_string(i), 10));
  }
  EXPECT_EQ(pool.take(1000)->path.filename(),
            "recent-" + std::to_string(RecycledFiles::kFitScan - 1));
}

// A full pool makes room for a newly removed file by letting its oldest files go: a large
// file whose length matched nothing since would otherwise hold its room for good.
TEST(RecycledFiles, AFullPoolEvictsItsOldestFilesForANewOne) {
  RecycledFiles pool({4, 100, 60});
  for (auto [name, bytes] : {std::pair{"big-old", 60u}, {"small-1", 10u}, {"small-2", 10u}}) {
    ASSERT_TRUE(pool.reserve(bytes));
    pool.add(file(name, bytes));
  }
  auto evicted = pool.reserveEvictingOldest(30);  // 80 + 30 > 100: the oldest goes
  ASSERT_TRUE(evicted.has_value());
  ASSERT_EQ(evicted->size(), 1u);
  EXPECT_EQ(evicted->front().path.filename(), "big-old");
  pool.add(file("new", 30));
  EXPECT_EQ(pool.files(), 3u);
  EXPECT_EQ(pool.bytes(), 50u);

  ASSERT_TRUE(pool.reserve(0));  // four files: the count is full
  pool.add(file("empty", 0));
  evicted = pool.reserveEvictingOldest(0);
  ASSERT_TRUE(evicted.has_value());
  ASSERT_EQ(evicted->size(), 1u);
  EXPECT_EQ(evicted->front().path.filename(), "small-1");
  pool.release(0);
  EXPECT_EQ(pool.take(30)->path.filename(), "new");
  EXPECT_EQ(pool.bytes(), 10u);  // small-2 and empty
}

// Reservations in progress are not files yet: they cannot be evicted, and a file that does
// not fit beside them is refused without evicting anything.
TEST(RecycledFiles, EvictionNeverTakesTheRoomOfAReservationInProgress) {
  RecycledFiles pool({2, 100, 100});
  ASSERT_TRUE(pool.reserve(10));
  pool.add(file("added", 10));
  ASSERT_TRUE(pool.reserve(80));  // in progress
  EXPECT_FALSE(pool.reserveEvictingOldest(30).has_value());  // 80 + 30 > 100 whatever goes
  EXPECT_EQ(pool.files(), 2u);
  EXPECT_EQ(pool.bytes(), 90u);
  EXPECT_FALSE(pool.reserveEvictingOldest(101).has_value());  // over the per-file limit
  auto evicted = pool.reserveEvictingOldest(20);  // "added" goes; the reservation stays
  ASSERT_TRUE(evicted.has_value());
  ASSERT_EQ(evicted->size(), 1u);
  EXPECT_EQ(pool.bytes(), 100u);
}

// The scan reaches exactly the kFitScan most recent files: an exact match there is found.
TEST(RecycledFiles, TakeFindsAnExactMatchAtTheEdgeOfItsScan) {
  RecycledFiles pool({RecycledFiles::kFitScan + 1, 1'000'000, 1000});
  ASSERT_TRUE(pool.reserve(10));
  pool.add(file("outside", 10));
  ASSERT_TRUE(pool.reserve(1000));
  pool.add(file("edge-exact", 1000));
  for (std::size_t i = 1; i < RecycledFiles::kFitScan; ++i) {
    ASSERT_TRUE(pool.reserve(10));
    pool.add(file("recent-" + std::to_string(i), 10));
  }
  EXPECT_EQ(pool.take(1000)->path.filename(), "edge-exact");
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
