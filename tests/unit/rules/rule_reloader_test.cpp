// Hot reload: a changed folder is compiled and its own test cases run before it replaces the
// running rules; a broken change is refused with file, line and reason, and the running set
// stays. checkNow() is called directly: no sleeping, no waiting for the poll.

#include "rules/engine/rule_reloader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "roster_fixture.h"

namespace sundial::rules {
namespace {

class RuleReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() /
              ("sundial-reload-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_ / "tests");
    write("10_route.lua", "function route(f) return {pool = 'remote'} end\n");
    write("tests/route_test.lua", caseExpecting("remote"));
    auto set = readRuleFolder(folder_);
    ASSERT_TRUE(set.ok()) << set.error().describe();
    RuleEngineOptions options;
    options.on_alert = [this](const RuleAlert& alert) { alerts_.push_back(alert); };
    options.log_fallbacks = false;
    engine_ = std::make_unique<RuleEngine>(testing::makeRoster(), set.value(), options);
    reloader_ = std::make_unique<RuleReloader>(*engine_, folder_, std::chrono::milliseconds(100));
  }
  void TearDown() override {
    reloader_.reset();
    std::filesystem::remove_all(folder_);
  }

  static std::string caseExpecting(const std::string& pool) {
    return "cases = {\n  { name = 'CT goes to " + pool +
           "', now = '2026-12-01T09:00', study = { site = 'ER1', modality = 'CT' },\n"
           "    expect = { pool = '" + pool + "' } },\n}\n";
  }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(folder_ / name) << text;
    // A new modification time for each write, whatever the file system's granularity.
    static int tick = 0;
    std::filesystem::last_write_time(folder_ / name,
                                     std::filesystem::file_time_type::clock::now() +
                                         std::chrono::seconds(++tick));
  }

  std::string pool() { return engine_->decide(testing::ctHeadAtEr()).decision.pool; }

  std::filesystem::path folder_;
  std::vector<RuleAlert> alerts_;
  std::unique_ptr<RuleEngine> engine_;
  std::unique_ptr<RuleReloader> reloader_;
};

TEST_F(RuleReloaderTest, NothingChangedNothingReloaded) {
  auto result = reloader_->checkNow();
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.value());
}

TEST_F(RuleReloaderTest, AChangeThatPassesItsTestsGoesLive) {
  const std::string before = engine_->rules()->version;
  write("10_route.lua", "function route(f) return {pool = 'local'} end\n");
  write("tests/route_test.lua", caseExpecting("local"));
  auto result = reloader_->checkNow();
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_TRUE(result.value());
  EXPECT_EQ(pool(), "local");
  EXPECT_NE(engine_->rules()->version, before);
  EXPECT_TRUE(alerts_.empty());
}

TEST_F(RuleReloaderTest, ASyntaxErrorIsRefusedWithFileAndLineAndTheRunningSetStays) {
  const std::string before = engine_->rules()->version;
  write("10_route.lua", "function route(f)\n  return {pool = 'local'\nend\n");
  auto result = reloader_->checkNow();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("10_route.lua:3:"), std::string::npos) << result.error().message;
  EXPECT_EQ(engine_->rules()->version, before);
  EXPECT_EQ(pool(), "remote");
  ASSERT_EQ(alerts_.size(), 1u);
  EXPECT_EQ(alerts_[0].kind, "reload_refused");
  // Reported once: the same broken folder is not refused again at every poll.
  auto again = reloader_->checkNow();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());
  EXPECT_EQ(alerts_.size(), 1u);
}

TEST_F(RuleReloaderTest, AChangeThatFailsItsOwnTestCasesIsRefused) {
  write("10_route.lua", "function route(f) return {pool = 'local'} end\n");  // tests still expect remote
  auto result = reloader_->checkNow();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("1 test case(s) fail"), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("pool: expected remote, got local"), std::string::npos);
  EXPECT_EQ(pool(), "remote");
}

TEST_F(RuleReloaderTest, AnUnreadableTestCaseIsRefused) {
  write("tests/route_test.lua", "cases = { { name = 'no time', study = { site = 'ER1', modality = 'CT' }, expect = {} } }\n");
  auto result = reloader_->checkNow();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("tests/route_test.lua: case 1 (no time): now is required"),
            std::string::npos) << result.error().message;
}

TEST_F(RuleReloaderTest, ARuleThatRaisesWhileLoadingIsRefused) {
  write("20_extra.lua", "local limits = nil\nlocal max = limits.max\nfunction route(f) end\n");
  auto result = reloader_->checkNow();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("20_extra.lua:2:"), std::string::npos) << result.error().message;
  EXPECT_EQ(engine_->rules()->rules.size(), 1u);
}

TEST_F(RuleReloaderTest, AFixAfterARefusalGoesLive) {
  write("10_route.lua", "function route(f) return {pool = 'local' end\n");
  EXPECT_FALSE(reloader_->checkNow().ok());
  write("10_route.lua", "function route(f) return {pool = 'local'} end\n");
  write("tests/route_test.lua", caseExpecting("local"));
  auto result = reloader_->checkNow();
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_TRUE(result.value());
  EXPECT_EQ(pool(), "local");
}

TEST_F(RuleReloaderTest, StartAndStopJoinThePollingThread) {
  reloader_->start();
  reloader_->stop();
  reloader_->stop();  // twice is harmless
  SUCCEED();
}

}  // namespace
}  // namespace sundial::rules
