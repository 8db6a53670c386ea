#include "adapters/spool/file_spool.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/domain/log.h"
#include "engine/metrics/metrics.h"

namespace sundial::adapters::spool {
namespace {
namespace fs = std::filesystem;

constexpr const char* kStudy = "1.2.826.0.1.3680043.2.1125.1";
constexpr const char* kSop = "1.2.826.0.1.3680043.2.1125.1.7";
constexpr auto kWritten = engine::Spool::FileState::Written;

// A fresh folder per test, removed afterwards.
class FileSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sundial-spool-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  config::SpoolConfig spoolConfig(std::uint64_t min_free_bytes = 0) {
    config::SpoolConfig config;
    config.min_free_bytes = min_free_bytes;
    config.fsync = true;
    return config;
  }

  static void writeFile(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
  }
  static std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Commits `count` instances of kStudy with SOP Instance UIDs 1.2.3.1, 1.2.3.2, ..., each
  // written with `content` unless it is empty; their committed paths, in that order (fewer
  // after a failure, which is reported).
  static std::vector<fs::path> commitInstances(FileSpool& spool, std::size_t count,
                                               const std::string& content = {}) {
    std::vector<fs::path> committed;
    for (std::size_t i = 0; i < count; ++i) {
      auto temporary = spool.reserveTemporary(0);
      if (!temporary) {
        ADD_FAILURE() << temporary.error().describe();
        break;
      }
      if (!content.empty()) writeFile(*temporary, content);
      auto done = spool.commit(*temporary, kStudy, "1.2.3." + std::to_string(i + 1), kWritten);
      if (!done) {
        ADD_FAILURE() << done.error().describe();
        break;
      }
      committed.push_back(*done);
    }
    return committed;
  }

  fs::path dir_;
  engine::Metrics metrics_;
};

std::uint64_t counterValue(engine::Metrics& metrics, const std::string& name) {
  return metrics.counter(name, "").value();
}

TEST_F(FileSpoolTest, StartCreatesTemporaryFolder) {
  FileSpool spool(dir_ / "spool", spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "spool" / "tmp"));
}

TEST_F(FileSpoolTest, ReserveGivesUniqueFilesInTemporaryFolder) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  std::set<fs::path> seen;
  for (int i = 0; i < 50; ++i) {
    auto reserved = spool.reserveTemporary(0);
    ASSERT_TRUE(reserved.ok()) << reserved.error().describe();
    EXPECT_EQ(reserved->parent_path(), spool.temporaryDir());
    EXPECT_TRUE(fs::exists(*reserved));
    EXPECT_TRUE(seen.insert(*reserved).second);
  }
}

TEST_F(FileSpoolTest, ReserveIsUniqueAcrossThreads) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  std::vector<std::vector<fs::path>> per_thread(8);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&spool, &out] {
      for (int i = 0; i < 25; ++i) {
        auto reserved = spool.reserveTemporary(0);
        if (reserved) out.push_back(*reserved);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<fs::path> all;
  for (const auto& out : per_thread) all.insert(out.begin(), out.end());
  EXPECT_EQ(all.size(), 200u);
}

TEST_F(FileSpoolTest, CommitMovesFileToStudyFolder) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  writeFile(*temporary, "DICM payload");

  auto committed = spool.commit(*temporary, kStudy, kSop, kWritten);
  ASSERT_TRUE(committed.ok()) << committed.error().describe();
  EXPECT_EQ(*committed, fs::absolute(dir_) / kStudy / (std::string(kSop) + ".dcm"));
  EXPECT_EQ(*committed, spool.committedPath(kStudy, kSop));
  EXPECT_EQ(readFile(*committed), "DICM payload");
  EXPECT_FALSE(fs::exists(*temporary));
}

TEST_F(FileSpoolTest, CommitWithoutFsyncAlsoWorks) {
  auto config = spoolConfig();
  config.fsync = false;
  FileSpool spool(dir_, config, metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  writeFile(*temporary, "x");
  EXPECT_TRUE(spool.commit(*temporary, kStudy, kSop, kWritten).ok());
}

TEST_F(FileSpoolTest, CommitOfSameInstanceTwiceKeepsOneFile) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  for (const char* content : {"first", "second"}) {
    auto temporary = spool.reserveTemporary(0);
    ASSERT_TRUE(temporary.ok());
    writeFile(*temporary, content);
    ASSERT_TRUE(spool.commit(*temporary, kStudy, kSop, kWritten).ok());
  }
  auto listed = spool.listCommitted();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(readFile(listed[0]), "second");
}

TEST_F(FileSpoolTest, CommitRefusesUidsThatAreNotUids) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  for (const char* bad : {"", "../etc", "1.2/3", "1..2", "abc"}) {
    auto committed = spool.commit(*temporary, bad, kSop, kWritten);
    ASSERT_FALSE(committed.ok()) << bad;
    EXPECT_EQ(committed.error().code, ErrorCode::InvalidInput);
    committed = spool.commit(*temporary, kStudy, bad, kWritten);
    ASSERT_FALSE(committed.ok()) << bad;
    EXPECT_EQ(committed.error().code, ErrorCode::InvalidInput);
  }
  EXPECT_TRUE(fs::exists(*temporary));
}

TEST_F(FileSpoolTest, CommitRefusesFilesOutsideTemporaryFolder) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  fs::path outside = dir_ / "elsewhere.part";
  writeFile(outside, "x");
  auto committed = spool.commit(outside, kStudy, kSop, kWritten);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, ErrorCode::InvalidInput);
  EXPECT_TRUE(fs::exists(outside));
}

TEST_F(FileSpoolTest, CommitOfVanishedTemporaryIsNotFound) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  spool.discard(*temporary);
  auto committed = spool.commit(*temporary, kStudy, kSop, kWritten);
  ASSERT_FALSE(committed.ok());
  EXPECT_NE(committed.error().code, ErrorCode::InvalidInput);
}

TEST_F(FileSpoolTest, DiscardRemovesTemporary) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  spool.discard(*temporary);
  EXPECT_FALSE(fs::exists(*temporary));
  spool.discard(*temporary);  // twice is harmless
}

TEST_F(FileSpoolTest, DiscardNeverTouchesFilesOutsideTemporaryFolder) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  fs::path outside = dir_ / "keep.dcm";
  writeFile(outside, "x");
  spool.discard(outside);
  EXPECT_TRUE(fs::exists(outside));
}

TEST_F(FileSpoolTest, FreeSpaceFloorGivesResourceExhausted) {
  FileSpool spool(dir_, spoolConfig(std::uint64_t{1} << 62), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto reserved = spool.reserveTemporary(0);
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.error().code, ErrorCode::ResourceExhausted);
  EXPECT_NE(reserved.error().message.find("free-space floor"), std::string::npos);
}

TEST_F(FileSpoolTest, UnwritableSpoolGivesResourceExhausted) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  // A file where the temporary folder should be: no file can be created in it, even by root
  // (who ignores folder permissions, so a read-only folder would prove nothing in CI).
  fs::remove_all(spool.temporaryDir());
  writeFile(spool.temporaryDir(), "not a folder");
  auto reserved = spool.reserveTemporary(0);
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.error().code, ErrorCode::ResourceExhausted);
  EXPECT_NE(reserved.error().message.find("not writable"), std::string::npos);
}

// What a previous run left in the temporary folder was never acknowledged: it becomes a
// recycled file (within the pool's limits) or is deleted; committed files stay as they are.
TEST_F(FileSpoolTest, StartRecyclesOrDeletesLeftoverTemporaryFiles) {
  fs::create_directories(dir_ / "tmp");
  writeFile(dir_ / "tmp" / "123-old.part", "half an instance");
  writeFile(dir_ / "tmp" / "123-big.part", std::string(FileSpool::kMaxRecycledFileBytes + 1, 'x'));
  fs::create_directories(dir_ / kStudy);
  writeFile(dir_ / kStudy / (std::string(kSop) + ".dcm"), "committed");

  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  EXPECT_FALSE(fs::exists(dir_ / "tmp" / "123-old.part"));
  EXPECT_FALSE(fs::exists(dir_ / "tmp" / "123-big.part"));
  EXPECT_EQ(spool.recycledFilesForTest(), 1u);
  EXPECT_EQ(spool.recycledBytesForTest(), std::string("half an instance").size());
  EXPECT_EQ(spool.listCommitted().size(), 1u);
  auto reused = spool.reserveTemporary(0);
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(readFile(*reused), "half an instance");  // the writer overwrites and cuts it
  EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_recycled_total"), 1u);
}

// Empty files made at start: the first burst after a start creates no inodes while receiving.
TEST_F(FileSpoolTest, StartMakesEmptyFilesReadyForTheFirstBurst) {
  constexpr std::size_t kReady = 5;
  {
    FileSpool spool(dir_, spoolConfig(), metrics_, kReady);
    ASSERT_TRUE(spool.start().ok());
    EXPECT_EQ(spool.recycledFilesForTest(), kReady);
    EXPECT_EQ(spool.recycledBytesForTest(), 0u);
    for (std::size_t i = 0; i < kReady; ++i) {
      auto reserved = spool.reserveTemporary(0);
      ASSERT_TRUE(reserved.ok());
      EXPECT_EQ(fs::file_size(*reserved), 0u);
    }
    EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_created_total"), 0u);
    EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_recycled_total"), kReady);
    ASSERT_TRUE(spool.reserveTemporary(0).ok());
    EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_created_total"), 1u);
  }
  // A restart counts what the previous run left (its six reserved files) towards the files to
  // have ready, and makes no more.
  engine::Metrics restart_metrics;
  FileSpool restarted(dir_, spoolConfig(), restart_metrics, kReady);
  ASSERT_TRUE(restarted.start().ok());
  EXPECT_EQ(restarted.recycledFilesForTest(), kReady + 1);
  size_t in_temporary_folder = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "tmp")) {
    EXPECT_EQ(entry.path().extension(), FileSpool::kRecycledSuffix);
    ++in_temporary_folder;
  }
  EXPECT_EQ(in_temporary_folder, kReady + 1);
}

TEST_F(FileSpoolTest, ListCommittedSkipsTemporaryAndForeignFiles) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  std::vector<fs::path> expected;
  for (int i = 1; i <= 3; ++i) {
    auto temporary = spool.reserveTemporary(0);
    ASSERT_TRUE(temporary.ok());
    writeFile(*temporary, "x");
    auto committed = spool.commit(*temporary, std::string(kStudy) + "." + std::to_string(i % 2),
                                  std::string(kSop) + "." + std::to_string(i), kWritten);
    ASSERT_TRUE(committed.ok());
    expected.push_back(*committed);
  }
  auto pending = spool.reserveTemporary(0);  // in tmp/: not listed
  ASSERT_TRUE(pending.ok());
  writeFile(dir_ / "README.txt", "not an instance");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(spool.listCommitted(), expected);
}

// The study folder outlives its last file: the next instance of the study (streamed as it
// arrives) would otherwise make it again, a mkdir and an fsync of the root per instance.
TEST_F(FileSpoolTest, RemoveDeletesFileButKeepsTheEmptyStudyFolder) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  auto committed = spool.commit(*temporary, kStudy, kSop, kWritten);
  ASSERT_TRUE(committed.ok());

  ASSERT_TRUE(spool.remove(*committed).ok());
  EXPECT_FALSE(fs::exists(*committed));
  EXPECT_TRUE(fs::is_directory(dir_ / kStudy));
  EXPECT_TRUE(fs::is_empty(dir_ / kStudy));
  auto again = spool.remove(*committed);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
  EXPECT_TRUE(fs::is_directory(dir_ / kStudy));
}

TEST_F(FileSpoolTest, SweepRemovesOnlyStudyFoldersEmptySinceTheCutoff) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  const std::string emptied = std::string(kStudy) + ".1";
  const std::string busy = std::string(kStudy) + ".2";
  std::vector<fs::path> committed;
  for (const std::string& study : {emptied, busy}) {
    auto temporary = spool.reserveTemporary(0);
    ASSERT_TRUE(temporary.ok());
    auto done = spool.commit(*temporary, study, kSop, kWritten);
    ASSERT_TRUE(done.ok());
    committed.push_back(*done);
  }
  ASSERT_TRUE(spool.remove(committed[0]).ok());
  const auto emptied_at = fs::last_write_time(dir_ / emptied);

  // Emptied at the cutoff or after it: kept (it may be about to get its next instance).
  EXPECT_EQ(spool.removeEmptyStudyFolders(emptied_at), 0);
  EXPECT_TRUE(fs::is_directory(dir_ / emptied));
  // Emptied before the cutoff: removed. Folders with files and the temporary folder stay.
  EXPECT_EQ(spool.removeEmptyStudyFolders(emptied_at + std::chrono::seconds(1)), 1);
  EXPECT_FALSE(fs::exists(dir_ / emptied));
  EXPECT_TRUE(fs::exists(committed[1]));
  EXPECT_TRUE(fs::is_directory(spool.temporaryDir()));
  // The default cutoff (kEmptyStudyFolderAge ago) spares a folder emptied just now.
  ASSERT_TRUE(spool.remove(committed[1]).ok());
  EXPECT_EQ(spool.removeEmptyStudyFolders(), 0);
  EXPECT_TRUE(fs::is_directory(dir_ / busy));
}

// The race the lazy removal opens: the sweep deletes a study folder just before commit()
// renames a file into it. commit() makes the folder again.
TEST_F(FileSpoolTest, CommitMakesTheStudyFolderAgainWhenTheSweepRemovesItMidCommit) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto first = spool.reserveTemporary(0);
  ASSERT_TRUE(first.ok());
  auto committed = spool.commit(*first, kStudy, "1.2.3.1", kWritten);
  ASSERT_TRUE(committed.ok());
  ASSERT_TRUE(spool.remove(*committed).ok());  // the study folder is now empty

  int sweeps = 0;
  spool.setBeforeRenameForTest([&] {
    if (sweeps++ == 0) {
      EXPECT_EQ(spool.removeEmptyStudyFolders(fs::file_time_type::max()), 1);
    }
  });
  auto second = spool.reserveTemporary(0);
  ASSERT_TRUE(second.ok());
  writeFile(*second, "second instance");
  auto recommitted = spool.commit(*second, kStudy, "1.2.3.2", kWritten);
  ASSERT_TRUE(recommitted.ok()) << recommitted.error().describe();
  EXPECT_EQ(sweeps, 2);  // one failed rename, one that worked
  EXPECT_EQ(readFile(*recommitted), "second instance");
  EXPECT_FALSE(fs::exists(*second));
}

// Two instances of a new study committed at once: the other thread's mkdir wins and this
// one's fails with EEXIST. The other thread may not have fsynced the root yet, so this one
// fsyncs it too before its instance can be acknowledged.
TEST_F(FileSpoolTest, CommitSyncsTheRootWhenAnotherThreadMadeTheStudyFolderFirst) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  spool.setBeforeMkdirForTest([&] { fs::create_directory(dir_ / kStudy); });
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  auto committed = spool.commit(*temporary, kStudy, kSop, kWritten);
  ASSERT_TRUE(committed.ok()) << committed.error().describe();
  EXPECT_TRUE(fs::exists(*committed));
  EXPECT_EQ(spool.rootSyncsForTest(), 1);
  // The folder is there now: the next instance of the study syncs no root.
  auto next = spool.reserveTemporary(0);
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(spool.commit(*next, kStudy, "1.2.3.2", kWritten).ok());
  EXPECT_EQ(spool.rootSyncsForTest(), 1);
}

TEST_F(FileSpoolTest, CommitSyncsTheRootOnlyWithFsyncOn) {
  config::SpoolConfig config = spoolConfig();
  config.fsync = false;
  FileSpool spool(dir_, config, metrics_);
  ASSERT_TRUE(spool.start().ok());
  spool.setBeforeMkdirForTest([&] { fs::create_directory(dir_ / kStudy); });
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  ASSERT_TRUE(spool.commit(*temporary, kStudy, kSop, kWritten).ok());
  EXPECT_EQ(spool.rootSyncsForTest(), 0);
}

// If the folder keeps vanishing, commit() gives up with a disk error and loses nothing: the
// temporary file is still there for discard(), and nothing was acknowledged.
TEST_F(FileSpoolTest, CommitGivesUpWhenTheStudyFolderKeepsVanishing) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  spool.setBeforeRenameForTest(
      [&] { spool.removeEmptyStudyFolders(fs::file_time_type::max()); });
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  auto committed = spool.commit(*temporary, kStudy, kSop, kWritten);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, ErrorCode::ResourceExhausted);
  EXPECT_TRUE(fs::exists(*temporary));
}

TEST_F(FileSpoolTest, RemoveKeepsStudyFolderWithOtherInstances) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  const std::vector<fs::path> committed = commitInstances(spool, 2);
  ASSERT_EQ(committed.size(), 2u);
  ASSERT_TRUE(spool.remove(committed[0]).ok());
  EXPECT_TRUE(fs::exists(committed[1]));
  // A commit into a study folder after removals still works.
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  EXPECT_TRUE(spool.commit(*temporary, kStudy, "1.2.3.3", kWritten).ok());
}

TEST_F(FileSpoolTest, RemoveRefusesPathsOutsideSpool) {
  FileSpool spool(dir_ / "spool", spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  fs::path outside = dir_ / "victim.dcm";
  writeFile(outside, "x");
  auto removed = spool.remove(outside);
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::InvalidInput);
  EXPECT_TRUE(fs::exists(outside));
  removed = spool.remove(dir_ / "spool" / ".." / "victim.dcm");
  EXPECT_FALSE(removed.ok());
  EXPECT_TRUE(fs::exists(outside));
}

// Two processes on one data folder by mistake: the second must not take the first one's
// half-written temporary files. The lock is per open file, so two FileSpools in one process
// show it as well as two processes would.
TEST_F(FileSpoolTest, SecondSpoolOnTheSameRootIsRefusedUntilTheFirstIsGone) {
  {
    FileSpool first(dir_, spoolConfig(), metrics_);
    ASSERT_TRUE(first.start().ok());
    auto half_written = first.reserveTemporary(0);
    ASSERT_TRUE(half_written.ok());
    writeFile(*half_written, "half an instance");

    engine::Metrics second_metrics;
    FileSpool second(dir_, spoolConfig(), second_metrics);
    auto refused = second.start();
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::Rejected);
    const std::string& message = refused.error().message;
    EXPECT_NE(message.find(dir_.string()), std::string::npos) << message;
    EXPECT_NE(message.find("in use by another Sundial process"), std::string::npos) << message;
    EXPECT_NE(message.find("(pid " + std::to_string(::getpid()) + ")"), std::string::npos)
        << message;
    // The first one's file is untouched and still commits.
    EXPECT_EQ(readFile(*half_written), "half an instance");
    EXPECT_TRUE(first.commit(*half_written, kStudy, kSop, kWritten).ok());
  }
  // Released with the first FileSpool (or, for a process, when it dies).
  engine::Metrics restart_metrics;
  FileSpool restarted(dir_, spoolConfig(), restart_metrics);
  ASSERT_TRUE(restarted.start().ok());
  EXPECT_TRUE(fs::exists(dir_ / FileSpool::kLockFileName));
  EXPECT_EQ(restarted.listCommitted().size(), 1u);  // the lock file is not an instance
}

TEST_F(FileSpoolTest, StartFailsWhenRootCannotBeCreated) {
  fs::path blocker = dir_ / "file";
  writeFile(blocker, "x");
  FileSpool spool(blocker / "spool", spoolConfig(), metrics_);
  auto started = spool.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::ResourceExhausted);
}

// A removed instance's file is kept for the next instance: same inode, under a temporary name,
// never visible as committed; the new writer overwrites it.
TEST_F(FileSpoolTest, RemovedFileIsRecycledForTheNextInstance) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  writeFile(*temporary, "first instance");
  auto committed = spool.commit(*temporary, kStudy, kSop, kWritten);
  ASSERT_TRUE(committed.ok());
  struct stat before {};
  ASSERT_EQ(::stat(committed->c_str(), &before), 0);

  ASSERT_TRUE(spool.remove(*committed).ok());
  EXPECT_FALSE(fs::exists(*committed));
  EXPECT_EQ(spool.recycledFilesForTest(), 1u);
  EXPECT_TRUE(spool.listCommitted().empty());

  auto reused = spool.reserveTemporary(0);
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused->extension(), FileSpool::kTemporarySuffix);
  struct stat after {};
  ASSERT_EQ(::stat(reused->c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(spool.recycledFilesForTest(), 0u);
}

// The receiver asks for a file of its association's previous instance's length: a large
// recycled file goes to a large instance, a small one to a small instance, whatever order
// they were recycled in.
TEST_F(FileSpoolTest, ReserveHandsOutTheRecycledFileClosestToTheExpectedLength) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  std::map<std::uint64_t, ino_t> inode_of_length;
  std::vector<fs::path> committed_files;
  for (std::uint64_t length : {600'000u, 40'000u}) {
    auto temporary = spool.reserveTemporary(0);
    ASSERT_TRUE(temporary.ok());
    writeFile(*temporary, std::string(length, 'x'));
    auto committed = spool.commit(*temporary, kStudy, "1.2.3." + std::to_string(length), kWritten);
    ASSERT_TRUE(committed.ok());
    struct stat info {};
    ASSERT_EQ(::stat(committed->c_str(), &info), 0);
    inode_of_length[length] = info.st_ino;
    committed_files.push_back(*committed);
  }
  for (const fs::path& path : committed_files) ASSERT_TRUE(spool.remove(path).ok());
  for (std::uint64_t expected : {590'000u, 41'000u}) {
    auto reused = spool.reserveTemporary(expected);
    ASSERT_TRUE(reused.ok());
    struct stat info {};
    ASSERT_EQ(::stat(reused->c_str(), &info), 0);
    EXPECT_EQ(info.st_ino, inode_of_length[expected > 100'000 ? 600'000 : 40'000]) << expected;
  }
}

TEST_F(FileSpoolTest, RecyclingIsBoundedInCountAndFileSize) {
  auto config = spoolConfig();
  config.fsync = false;  // hundreds of files: the bounds are under test, not the disk
  FileSpool spool(dir_, config, metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto big = spool.reserveTemporary(0);
  ASSERT_TRUE(big.ok());
  writeFile(*big, std::string(FileSpool::kMaxRecycledFileBytes + 1, 'x'));
  auto committed_big = spool.commit(*big, kStudy, "1.2.3.999", kWritten);
  ASSERT_TRUE(committed_big.ok());
  ASSERT_TRUE(spool.remove(*committed_big).ok());
  EXPECT_EQ(spool.recycledFilesForTest(), 0u);  // too large to keep: unlinked
  EXPECT_FALSE(fs::exists(*committed_big));

  const std::vector<fs::path> committed =
      commitInstances(spool, FileSpool::kMaxRecycledFiles + 3);
  ASSERT_EQ(committed.size(), FileSpool::kMaxRecycledFiles + 3);
  for (const fs::path& path : committed) ASSERT_TRUE(spool.remove(path).ok());
  EXPECT_EQ(spool.recycledFilesForTest(), FileSpool::kMaxRecycledFiles);
  size_t in_temporary_folder = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "tmp")) {
    (void)entry;
    ++in_temporary_folder;
  }
  EXPECT_EQ(in_temporary_folder, FileSpool::kMaxRecycledFiles);
  EXPECT_TRUE(spool.listCommitted().empty());
}

// A full pool makes room for a removed file by unlinking its oldest recycled one, but only in
// remove() (a SpoolJanitor's own thread): removeIfCheap() runs on the caller's thread and
// leaves the file for remove() rather than pay for an unlink there.
TEST_F(FileSpoolTest, OnlyRemoveEvictsTheOldestRecycledFileFromAFullPool) {
  auto config = spoolConfig();
  config.fsync = false;  // hundreds of files: the pool's bookkeeping is under test
  FileSpool spool(dir_, config, metrics_);
  ASSERT_TRUE(spool.start().ok());
  const auto temporaryNames = [this] {
    std::set<fs::path> names;
    for (const auto& entry : fs::directory_iterator(dir_ / "tmp")) names.insert(entry.path());
    return names;
  };
  const std::vector<fs::path> committed =
      commitInstances(spool, FileSpool::kMaxRecycledFiles + 1);
  ASSERT_EQ(committed.size(), FileSpool::kMaxRecycledFiles + 1);
  ASSERT_TRUE(spool.remove(committed[0]).ok());
  const std::set<fs::path> oldest = temporaryNames();
  ASSERT_EQ(oldest.size(), 1u);
  for (size_t i = 1; i < FileSpool::kMaxRecycledFiles; ++i) {
    ASSERT_TRUE(spool.remove(committed[i]).ok());
  }
  const std::set<fs::path> full = temporaryNames();
  ASSERT_EQ(full.size(), FileSpool::kMaxRecycledFiles);

  const fs::path& last = committed.back();
  EXPECT_FALSE(spool.removeIfCheap(last));
  EXPECT_TRUE(fs::exists(last));
  EXPECT_EQ(temporaryNames(), full);

  ASSERT_TRUE(spool.remove(last).ok());
  EXPECT_FALSE(fs::exists(last));
  const std::set<fs::path> after = temporaryNames();
  EXPECT_EQ(after.size(), FileSpool::kMaxRecycledFiles);
  EXPECT_EQ(after.count(*oldest.begin()), 0u) << "the oldest recycled file made room";
  EXPECT_EQ(spool.recycledFilesForTest(), FileSpool::kMaxRecycledFiles);
}

// Receiving runs ahead of forwarding: a burst is spooled, then all of it is removed at once.
// The next burst finds every one of those files waiting and creates none.
TEST_F(FileSpoolTest, ABurstOfRemovalsIsReusedByTheNextBurst) {
  auto config = spoolConfig();
  config.fsync = false;
  FileSpool spool(dir_, config, metrics_);
  ASSERT_TRUE(spool.start().ok());
  constexpr int kBurst = 200;  // far more than the 32 files the pool used to keep
  const std::string instance(4096, 'i');
  const std::vector<fs::path> committed = commitInstances(spool, kBurst, instance);
  ASSERT_EQ(committed.size(), static_cast<std::size_t>(kBurst));
  for (const fs::path& path : committed) ASSERT_TRUE(spool.remove(path).ok());
  EXPECT_EQ(spool.recycledFilesForTest(), static_cast<size_t>(kBurst));
  EXPECT_EQ(spool.recycledBytesForTest(), std::uintmax_t{kBurst} * instance.size());
  EXPECT_EQ(metrics_.gauge("sundial_spool_recycled_bytes", "").value(),
            static_cast<double>(kBurst * instance.size()));
  EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_created_total"),
            static_cast<std::uint64_t>(kBurst));
  EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_recycled_total"), 0u);

  for (int i = 0; i < kBurst; ++i) ASSERT_TRUE(spool.reserveTemporary(0).ok());
  EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_created_total"),
            static_cast<std::uint64_t>(kBurst));
  EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_recycled_total"),
            static_cast<std::uint64_t>(kBurst));
  EXPECT_EQ(spool.recycledFilesForTest(), 0u);
  EXPECT_EQ(spool.recycledBytesForTest(), 0u);
  EXPECT_EQ(metrics_.gauge("sundial_spool_recycled_files", "").value(), 0.0);
}

TEST_F(FileSpoolTest, DiscardedTemporaryFileIsRecycled) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary(0);
  ASSERT_TRUE(temporary.ok());
  writeFile(*temporary, "refused instance");
  spool.discard(*temporary);
  EXPECT_FALSE(fs::exists(*temporary));
  EXPECT_EQ(spool.recycledFilesForTest(), 1u);
  ASSERT_TRUE(spool.reserveTemporary(0).ok());
  EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_recycled_total"), 1u);
}

// Recycled files are disk the floor counts as used; below the floor they are deleted to give
// it back before an instance is refused.
TEST_F(FileSpoolTest, BelowTheFloorRecycledFilesAreDeletedBeforeRefusing) {
  constexpr std::uint64_t kFloor = 1'000'000;
  FileSpool spool(dir_, spoolConfig(kFloor), metrics_);
  ASSERT_TRUE(spool.start().ok());
  const std::vector<fs::path> committed = commitInstances(spool, 3);
  ASSERT_EQ(committed.size(), 3u);
  for (const fs::path& path : committed) ASSERT_TRUE(spool.remove(path).ok());
  ASSERT_EQ(spool.recycledFilesForTest(), 3u);
  // The disk is below the floor as long as the recycled files hold their share.
  spool.setFreeBytesForTest([&] { return spool.recycledFilesForTest() > 0 ? kFloor - 1 : kFloor; });

  auto reserved = spool.reserveTemporary(0);
  ASSERT_TRUE(reserved.ok()) << reserved.error().describe();
  EXPECT_EQ(spool.recycledFilesForTest(), 0u);
  EXPECT_EQ(counterValue(metrics_, "sundial_spool_files_created_total"), 4u);
  size_t recycled_on_disk = 0;
  for (const auto& entry : fs::directory_iterator(spool.temporaryDir())) {
    if (entry.path().extension() == FileSpool::kRecycledSuffix) ++recycled_on_disk;
  }
  EXPECT_EQ(recycled_on_disk, 0u);

  // Still below the floor with nothing left to give back: refused.
  spool.setFreeBytesForTest([&] { return kFloor - 1; });
  auto refused = spool.reserveTemporary(0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::ResourceExhausted);
}

// A writer that fsynced the file itself says so; commit() then goes straight to the rename.
// Proof that it does not open the file: a socket cannot be opened, but it can be renamed.
TEST_F(FileSpoolTest, CommitOfASyncedFileDoesNotOpenItAgain) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  const fs::path temporary = spool.temporaryDir() / "socket.part";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  ASSERT_LT(temporary.string().size(), sizeof(address.sun_path));
  std::strcpy(address.sun_path, temporary.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ::close(fd);

  auto unsynced = spool.commit(temporary, kStudy, kSop, kWritten);
  ASSERT_FALSE(unsynced.ok());  // commit() tried to open it for fsync
  EXPECT_NE(unsynced.error().message.find("fsync"), std::string::npos);
  auto synced = spool.commit(temporary, kStudy, kSop, engine::Spool::FileState::Synced);
  ASSERT_TRUE(synced.ok()) << synced.error().describe();
  EXPECT_EQ(*synced, spool.committedPath(kStudy, kSop));
  EXPECT_FALSE(fs::exists(temporary));
}

TEST_F(FileSpoolTest, StartKeepsThePreviousRunsRecycledFiles) {
  {
    FileSpool spool(dir_, spoolConfig(), metrics_);
    ASSERT_TRUE(spool.start().ok());
    auto temporary = spool.reserveTemporary(0);
    ASSERT_TRUE(temporary.ok());
    writeFile(*temporary, "forwarded instance");
    auto committed = spool.commit(*temporary, kStudy, kSop, kWritten);
    ASSERT_TRUE(committed.ok());
    ASSERT_TRUE(spool.remove(*committed).ok());
    ASSERT_EQ(spool.recycledFilesForTest(), 1u);
  }
  FileSpool restarted(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(restarted.start().ok());
  EXPECT_EQ(restarted.recycledFilesForTest(), 1u);
  EXPECT_TRUE(restarted.listCommitted().empty());
}

TEST_F(FileSpoolTest, ErrorsNameNoStudyOrInstanceUnlessIdentifyingLogsAreOn) {
  FileSpool spool(dir_, spoolConfig(), metrics_);
  ASSERT_TRUE(spool.start().ok());
  const fs::path missing = spool.committedPath(kStudy, kSop);

  log::setIdentifying(false);
  auto removed = spool.remove(missing);
  ASSERT_FALSE(removed.ok());
  const std::string masked = removed.error().describe();
  EXPECT_EQ(masked.find(kStudy), std::string::npos) << masked;
  EXPECT_NE(masked.find(".dcm"), std::string::npos) << masked;  // still says what kind of file

  log::setIdentifying(true);
  removed = spool.remove(missing);
  log::setIdentifying(false);
  ASSERT_FALSE(removed.ok());
  EXPECT_NE(removed.error().describe().find(std::string(kSop) + ".dcm"), std::string::npos)
      << removed.error().describe();
}

}  // namespace
}  // namespace sundial::adapters::spool
