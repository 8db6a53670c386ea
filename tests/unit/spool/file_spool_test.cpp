#include "adapters/spool/file_spool.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/domain/log.h"

namespace sundial::adapters::spool {
namespace {
namespace fs = std::filesystem;

constexpr const char* kStudy = "1.2.826.0.1.3680043.2.1125.1";
constexpr const char* kSop = "1.2.826.0.1.3680043.2.1125.1.7";

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

  fs::path dir_;
};

TEST_F(FileSpoolTest, StartCreatesTemporaryFolder) {
  FileSpool spool(dir_ / "spool", spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  EXPECT_TRUE(fs::is_directory(dir_ / "spool" / "tmp"));
}

TEST_F(FileSpoolTest, ReserveGivesUniqueFilesInTemporaryFolder) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  std::set<fs::path> seen;
  for (int i = 0; i < 50; ++i) {
    auto reserved = spool.reserveTemporary();
    ASSERT_TRUE(reserved.ok()) << reserved.error().describe();
    EXPECT_EQ(reserved->parent_path(), spool.temporaryDir());
    EXPECT_TRUE(fs::exists(*reserved));
    EXPECT_TRUE(seen.insert(*reserved).second);
  }
}

TEST_F(FileSpoolTest, ReserveIsUniqueAcrossThreads) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  std::vector<std::vector<fs::path>> per_thread(8);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&spool, &out] {
      for (int i = 0; i < 25; ++i) {
        auto reserved = spool.reserveTemporary();
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
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  writeFile(*temporary, "DICM payload");

  auto committed = spool.commit(*temporary, kStudy, kSop);
  ASSERT_TRUE(committed.ok()) << committed.error().describe();
  EXPECT_EQ(*committed, fs::absolute(dir_) / kStudy / (std::string(kSop) + ".dcm"));
  EXPECT_EQ(*committed, spool.committedPath(kStudy, kSop));
  EXPECT_EQ(readFile(*committed), "DICM payload");
  EXPECT_FALSE(fs::exists(*temporary));
}

TEST_F(FileSpoolTest, CommitWithoutFsyncAlsoWorks) {
  auto config = spoolConfig();
  config.fsync = false;
  FileSpool spool(dir_, config);
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  writeFile(*temporary, "x");
  EXPECT_TRUE(spool.commit(*temporary, kStudy, kSop).ok());
}

TEST_F(FileSpoolTest, CommitOfSameInstanceTwiceKeepsOneFile) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  for (const char* content : {"first", "second"}) {
    auto temporary = spool.reserveTemporary();
    ASSERT_TRUE(temporary.ok());
    writeFile(*temporary, content);
    ASSERT_TRUE(spool.commit(*temporary, kStudy, kSop).ok());
  }
  auto listed = spool.listCommitted();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(readFile(listed[0]), "second");
}

TEST_F(FileSpoolTest, CommitRefusesUidsThatAreNotUids) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  for (const char* bad : {"", "../etc", "1.2/3", "1..2", "abc"}) {
    auto committed = spool.commit(*temporary, bad, kSop);
    ASSERT_FALSE(committed.ok()) << bad;
    EXPECT_EQ(committed.error().code, ErrorCode::InvalidInput);
    committed = spool.commit(*temporary, kStudy, bad);
    ASSERT_FALSE(committed.ok()) << bad;
    EXPECT_EQ(committed.error().code, ErrorCode::InvalidInput);
  }
  EXPECT_TRUE(fs::exists(*temporary));
}

TEST_F(FileSpoolTest, CommitRefusesFilesOutsideTemporaryFolder) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  fs::path outside = dir_ / "elsewhere.part";
  writeFile(outside, "x");
  auto committed = spool.commit(outside, kStudy, kSop);
  ASSERT_FALSE(committed.ok());
  EXPECT_EQ(committed.error().code, ErrorCode::InvalidInput);
  EXPECT_TRUE(fs::exists(outside));
}

TEST_F(FileSpoolTest, CommitOfVanishedTemporaryIsNotFound) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  spool.discard(*temporary);
  auto committed = spool.commit(*temporary, kStudy, kSop);
  ASSERT_FALSE(committed.ok());
  EXPECT_NE(committed.error().code, ErrorCode::InvalidInput);
}

TEST_F(FileSpoolTest, DiscardRemovesTemporary) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  spool.discard(*temporary);
  EXPECT_FALSE(fs::exists(*temporary));
  spool.discard(*temporary);  // twice is harmless
}

TEST_F(FileSpoolTest, DiscardNeverTouchesFilesOutsideTemporaryFolder) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  fs::path outside = dir_ / "keep.dcm";
  writeFile(outside, "x");
  spool.discard(outside);
  EXPECT_TRUE(fs::exists(outside));
}

TEST_F(FileSpoolTest, FreeSpaceFloorGivesResourceExhausted) {
  FileSpool spool(dir_, spoolConfig(std::uint64_t{1} << 62));
  ASSERT_TRUE(spool.start().ok());
  auto reserved = spool.reserveTemporary();
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.error().code, ErrorCode::ResourceExhausted);
  EXPECT_NE(reserved.error().message.find("free-space floor"), std::string::npos);
}

TEST_F(FileSpoolTest, UnwritableSpoolGivesResourceExhausted) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  // A file where the temporary folder should be: no file can be created in it, even by root
  // (who ignores folder permissions, so a read-only folder would prove nothing in CI).
  fs::remove_all(spool.temporaryDir());
  writeFile(spool.temporaryDir(), "not a folder");
  auto reserved = spool.reserveTemporary();
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.error().code, ErrorCode::ResourceExhausted);
  EXPECT_NE(reserved.error().message.find("not writable"), std::string::npos);
}

TEST_F(FileSpoolTest, StartRemovesStaleTemporaryFiles) {
  fs::create_directories(dir_ / "tmp");
  writeFile(dir_ / "tmp" / "123-old.part", "half an instance");
  fs::create_directories(dir_ / kStudy);
  writeFile(dir_ / kStudy / (std::string(kSop) + ".dcm"), "committed");

  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  EXPECT_FALSE(fs::exists(dir_ / "tmp" / "123-old.part"));
  EXPECT_EQ(spool.listCommitted().size(), 1u);
}

TEST_F(FileSpoolTest, ListCommittedSkipsTemporaryAndForeignFiles) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  std::vector<fs::path> expected;
  for (int i = 1; i <= 3; ++i) {
    auto temporary = spool.reserveTemporary();
    ASSERT_TRUE(temporary.ok());
    writeFile(*temporary, "x");
    auto committed = spool.commit(*temporary, std::string(kStudy) + "." + std::to_string(i % 2),
                                  std::string(kSop) + "." + std::to_string(i));
    ASSERT_TRUE(committed.ok());
    expected.push_back(*committed);
  }
  auto pending = spool.reserveTemporary();  // in tmp/: not listed
  ASSERT_TRUE(pending.ok());
  writeFile(dir_ / "README.txt", "not an instance");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(spool.listCommitted(), expected);
}

TEST_F(FileSpoolTest, RemoveDeletesFileAndEmptyStudyFolder) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  auto committed = spool.commit(*temporary, kStudy, kSop);
  ASSERT_TRUE(committed.ok());

  ASSERT_TRUE(spool.remove(*committed).ok());
  EXPECT_FALSE(fs::exists(*committed));
  EXPECT_FALSE(fs::exists(dir_ / kStudy));
  auto again = spool.remove(*committed);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
}

TEST_F(FileSpoolTest, RemoveKeepsStudyFolderWithOtherInstances) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  std::vector<fs::path> committed;
  for (const char* sop : {"1.2.3.1", "1.2.3.2"}) {
    auto temporary = spool.reserveTemporary();
    ASSERT_TRUE(temporary.ok());
    auto done = spool.commit(*temporary, kStudy, sop);
    ASSERT_TRUE(done.ok());
    committed.push_back(*done);
  }
  ASSERT_TRUE(spool.remove(committed[0]).ok());
  EXPECT_TRUE(fs::exists(committed[1]));
  // A commit into a study folder after removals still works.
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  EXPECT_TRUE(spool.commit(*temporary, kStudy, "1.2.3.3").ok());
}

TEST_F(FileSpoolTest, RemoveRefusesPathsOutsideSpool) {
  FileSpool spool(dir_ / "spool", spoolConfig());
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

TEST_F(FileSpoolTest, StartFailsWhenRootCannotBeCreated) {
  fs::path blocker = dir_ / "file";
  writeFile(blocker, "x");
  FileSpool spool(blocker / "spool", spoolConfig());
  auto started = spool.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::ResourceExhausted);
}

// A removed instance's file is kept for the next instance: same inode, under a temporary name,
// never visible as committed; the new writer overwrites it.
TEST_F(FileSpoolTest, RemovedFileIsRecycledForTheNextInstance) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  auto temporary = spool.reserveTemporary();
  ASSERT_TRUE(temporary.ok());
  writeFile(*temporary, "first instance");
  auto committed = spool.commit(*temporary, kStudy, kSop);
  ASSERT_TRUE(committed.ok());
  struct stat before {};
  ASSERT_EQ(::stat(committed->c_str(), &before), 0);

  ASSERT_TRUE(spool.remove(*committed).ok());
  EXPECT_FALSE(fs::exists(*committed));
  EXPECT_EQ(spool.recycledFilesForTest(), 1u);
  EXPECT_TRUE(spool.listCommitted().empty());

  auto reused = spool.reserveTemporary();
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused->extension(), FileSpool::kTemporarySuffix);
  struct stat after {};
  ASSERT_EQ(::stat(reused->c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(spool.recycledFilesForTest(), 0u);
}

TEST_F(FileSpoolTest, RecyclingIsBoundedInCountAndSize) {
  FileSpool spool(dir_, spoolConfig());
  ASSERT_TRUE(spool.start().ok());
  auto big = spool.reserveTemporary();
  ASSERT_TRUE(big.ok());
  writeFile(*big, std::string(FileSpool::kMaxRecycledBytes + 1, 'x'));
  auto committed_big = spool.commit(*big, kStudy, "1.2.3.999");
  ASSERT_TRUE(committed_big.ok());
  ASSERT_TRUE(spool.remove(*committed_big).ok());
  EXPECT_EQ(spool.recycledFilesForTest(), 0u);  // too large to keep: unlinked

  std::vector<fs::path> committed;
  for (size_t i = 0; i < FileSpool::kMaxRecycledFiles + 3; ++i) {
    auto temporary = spool.reserveTemporary();
    ASSERT_TRUE(temporary.ok());
    auto done = spool.commit(*temporary, kStudy, "1.2.3." + std::to_string(i + 1));
    ASSERT_TRUE(done.ok());
    committed.push_back(*done);
  }
  for (const fs::path& path : committed) ASSERT_TRUE(spool.remove(path).ok());
  EXPECT_EQ(spool.recycledFilesForTest(), FileSpool::kMaxRecycledFiles);
  size_t in_temporary_folder = 0;
  for (const auto& entry : fs::directory_iterator(dir_ / "tmp")) {
    (void)entry;
    ++in_temporary_folder;
  }
  EXPECT_EQ(in_temporary_folder, FileSpool::kMaxRecycledFiles);
}

TEST_F(FileSpoolTest, StartDeletesRecycledFiles) {
  {
    FileSpool spool(dir_, spoolConfig());
    ASSERT_TRUE(spool.start().ok());
    auto temporary = spool.reserveTemporary();
    ASSERT_TRUE(temporary.ok());
    auto committed = spool.commit(*temporary, kStudy, kSop);
    ASSERT_TRUE(committed.ok());
    ASSERT_TRUE(spool.remove(*committed).ok());
    ASSERT_EQ(spool.recycledFilesForTest(), 1u);
  }
  FileSpool restarted(dir_, spoolConfig());
  ASSERT_TRUE(restarted.start().ok());
  EXPECT_EQ(restarted.recycledFilesForTest(), 0u);
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
}

TEST_F(FileSpoolTest, ErrorsNameNoStudyOrInstanceUnlessIdentifyingLogsAreOn) {
  FileSpool spool(dir_, spoolConfig());
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
