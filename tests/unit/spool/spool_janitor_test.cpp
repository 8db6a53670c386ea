#include "adapters/spool/spool_janitor.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "adapters/spool/file_spool.h"
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
  auto committed = janitor.commit("tmp", "1.2", "1.2.3", engine::Spool::FileState::Written);
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(janitor.listCommitted().size(), 1u);
}

// The tidy step (FileSpool: empty study folders) runs on the janitor's thread, repeatedly,
// between removals.
TEST(SpoolJanitor, RunsTheTidyStepPeriodicallyWhileStarted) {
  testing::FakeSpool inner;
  std::mutex mutex;
  std::condition_variable tidied;
  int tidy_runs = 0;
  std::thread::id tidy_thread;
  SpoolJanitor janitor(
      inner,
      [&] {
        std::lock_guard lock(mutex);
        ++tidy_runs;
        tidy_thread = std::this_thread::get_id();
        tidied.notify_all();
      },
      std::chrono::milliseconds(1));
  janitor.start();
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(tidied.wait_for(lock, std::chrono::seconds(10), [&] { return tidy_runs >= 3; }));
    EXPECT_NE(tidy_thread, std::this_thread::get_id());
  }
  // Removals still go through while tidying.
  ASSERT_TRUE(janitor.remove("/spool/1/1.dcm").ok());
  janitor.stop();
  EXPECT_EQ(inner.removed.size(), 1u);
}

// A file the spool can recycle leaves its committed name at once, even while the janitor's
// thread is busy or starved: the next incoming instance can reuse it.
TEST(SpoolJanitor, RecyclesAtOnceAndQueuesOnlyRealRemovals) {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "sundial-janitor-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  config::SpoolConfig config;
  config.min_free_bytes = 0;
  engine::Metrics metrics;
  FileSpool spool(dir, config, metrics);
  ASSERT_TRUE(spool.start().ok());
  SpoolJanitor janitor(spool);
  janitor.start();
  auto small = janitor.reserveTemporary(0);
  ASSERT_TRUE(small.ok());
  auto committed_small = janitor.commit(*small, "1.2.3", "1.2.3.1", engine::Spool::FileState::Written);
  ASSERT_TRUE(committed_small.ok());
  auto big = janitor.reserveTemporary(0);
  ASSERT_TRUE(big.ok());
  std::ofstream(*big, std::ios::binary) << std::string(FileSpool::kMaxRecycledFileBytes + 1, 'x');
  auto committed_big = janitor.commit(*big, "1.2.3", "1.2.3.2", engine::Spool::FileState::Written);
  ASSERT_TRUE(committed_big.ok());

  ASSERT_TRUE(janitor.remove(*committed_small).ok());
  EXPECT_FALSE(fs::exists(*committed_small));  // done on this thread, not queued
  EXPECT_EQ(spool.recycledFilesForTest(), 1u);
  ASSERT_TRUE(janitor.remove(*committed_big).ok());  // too large to keep: the janitor unlinks it
  janitor.stop();
  EXPECT_FALSE(fs::exists(*committed_big));
  EXPECT_EQ(spool.recycledFilesForTest(), 1u);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace sundial::adapters::spool
