// The rules commands as an admin runs them: the sundial binary, a rule folder on disk, a real
// redis-server holding recorded decisions.

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "adapters/redis/redis_client.h"
#include "rules/api/decision_json.h"
#include "rules/engine/rule_engine.h"
#include "tests/support/redis_server_process.h"

namespace sundial {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::string output;
};

CommandRun runSundial(const std::string& arguments) {
  const std::string command = std::string(SUNDIAL_BINARY) + " " + arguments + " 2>&1";
  CommandRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class RulesCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sundial-rules-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "rules" / "tests");
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }

  void writeConfig(const std::string& redis_address) {
    write("config.yaml", R"(node:
  data_dir: data
redis:
  address: ")" + redis_address + R"("
  key_prefix: clitest
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 11113}
  - {name: WS_A, ae_title: WS_A, host: 127.0.0.1, port: 11114}
  - {name: WS_B, ae_title: WS_B, host: 127.0.0.1, port: 11115}
sites:
  - name: ER1
    time_zone: America/Chicago
    state: TX
    callers: [{ae_title: CT1, addresses: [127.0.0.1]}]
    destinations: [ARCHIVE]
readers:
  - {id: dr_a, licences: [TX], credentials: [ER1], modalities: [CT], time_zone: America/Chicago,
     shifts: [{days: daily, from: "00:00", to: "24:00"}], destination: WS_A, pools: [remote]}
  - {id: dr_b, licences: [TX], credentials: [ER1], modalities: [CT, MR], time_zone: America/Chicago,
     shifts: [{days: daily, from: "00:00", to: "24:00"}], destination: WS_B, pools: [remote]}
rules:
  folder: rules
  pools: [{name: remote}, {name: overflow, mode: pull}]
  fallback_pool: overflow
)");
  }

  std::filesystem::path dir_;
};

TEST_F(RulesCli, TestPassesAndFailsWithAReportAndExitCode) {
  writeConfig("unix:/nonexistent.sock");
  write("rules/10_route.lua", "function route(f) return {reader = 'dr_b'} end\n");
  write("rules/tests/route_test.lua", R"(cases = {
  { name = 'CT to dr_b', now = '2026-12-01T10:00', study = { site = 'ER1', modality = 'CT' },
    expect = { reader = 'dr_b', destinations = { 'WS_B' } } },
})");
  const std::string args = "rules test " + (dir_ / "rules").string() + " --config " + (dir_ / "config.yaml").string();
  CommandRun pass = runSundial(args);
  EXPECT_EQ(pass.exit_code, 0) << pass.output;
  EXPECT_NE(pass.output.find("PASS tests/route_test.lua: CT to dr_b"), std::string::npos) << pass.output;
  EXPECT_NE(pass.output.find("1 passed, 0 failed"), std::string::npos);

  write("rules/10_route.lua", "function route(f) return {reader = 'dr_a'} end\n");
  CommandRun fail = runSundial(args);
  EXPECT_EQ(fail.exit_code, 1) << fail.output;
  EXPECT_NE(fail.output.find("FAIL tests/route_test.lua: CT to dr_b"), std::string::npos) << fail.output;
  EXPECT_NE(fail.output.find("reader: expected dr_b, got dr_a"), std::string::npos) << fail.output;

  write("rules/10_route.lua", "function route(f)\n  return {reader = 'dr_a'\nend\n");
  CommandRun broken = runSundial(args);
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("10_route.lua:3:"), std::string::npos) << broken.output;

  // Without a roster: a usage error saying so (no config.yaml beside the folder's parent).
  CommandRun no_config = runSundial("rules test " + (dir_ / "rules" / "tests").string());
  EXPECT_EQ(no_config.exit_code, 64) << no_config.output;
}

TEST_F(RulesCli, ExampleRulesPassAgainstTheExampleRoster) {
  CommandRun run = runSundial(std::string("rules test ") + SUNDIAL_SOURCE_DIR + "/examples/rules --config " +
                       SUNDIAL_SOURCE_DIR + "/examples/config.yaml");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("FAIL"), std::string::npos) << run.output;
}

TEST_F(RulesCli, ReplayReadsTheRecordedStreamAndPrintsWhereDecisionsDiffer) {
  if (!testing::RedisServerProcess::available()) GTEST_SKIP() << "redis-server is not installed";
  testing::RedisServerProcess redis;
  ASSERT_TRUE(redis.start()) << redis.error();
  writeConfig(redis.address());
  // Recorded with yesterday's rules: MR to dr_b, everything else to dr_a.
  write("rules/10_route.lua", "function route(f) if f.study.modality == 'MR' then return {reader = 'dr_b'} end return {reader = 'dr_a'} end\n");
  auto old_rules = rules::readRuleFolder(dir_ / "rules");
  ASSERT_TRUE(old_rules.ok()) << old_rules.error().describe();
  auto roster = std::make_shared<rules::Roster>();
  roster->sites.push_back({"ER1", "America/Chicago", "TX", {}, {}, {"ARCHIVE"}, nullptr});
  auto reader = [](std::string id, std::vector<std::string> modalities, std::string ws) {
    rules::ReaderProfile r;
    r.id = std::move(id);
    r.licences = {"TX"};
    r.credentials = {"ER1"};
    r.modalities = std::move(modalities);
    r.time_zone = "America/Chicago";
    r.shifts = {{{0, 1, 2, 3, 4, 5, 6}, 0, 1440}};
    r.destination = std::move(ws);
    r.pools = {"remote"};
    return r;
  };
  roster->readers = {reader("dr_a", {"CT"}, "WS_A"), reader("dr_b", {"CT", "MR"}, "WS_B")};
  roster->pools = {{"remote", false}, {"overflow", true}};
  roster->destinations = {"ARCHIVE", "WS_A", "WS_B"};
  roster->fallback_pool = "overflow";
  ASSERT_TRUE(roster->finish().ok());
  rules::RuleEngine recorder(roster, old_rules.value());

  adapters::redis::RedisClient client({redis.address()});
  const long long base_ms = 1796137200000LL;  // 2026-12-01T15:00Z
  for (int i = 0; i < 30; ++i) {
    rules::DecisionInput input;
    input.study.key = "study-" + std::to_string(i);
    input.study.site = "ER1";
    input.study.modality = i % 3 == 0 ? "MR" : "CT";
    input.now = fromEpochMs(base_ms + i * 60000);
    input.study.arrived = input.now;
    input.readers = {{"dr_a", {true, 0, 0}}, {"dr_b", {true, 0, 0}}};
    const std::string json = rules::decisionToJson(input, recorder.decide(input));
    auto added = client.command({"XADD", "clitest:v1:dispatch:decisions",
                                 std::to_string(base_ms + i * 60000) + "-0", "decision", json});
    ASSERT_TRUE(added.ok()) << added.error().describe();
  }
  ASSERT_TRUE(client.command({"XADD", "clitest:v1:dispatch:decisions",
                              std::to_string(base_ms + 31 * 60000) + "-0", "decision", "{broken"}).ok());

  // Today's candidate: everything to dr_b.
  std::filesystem::create_directories(dir_ / "candidate");
  write("candidate/10_route.lua", "function route(f) return {reader = 'dr_b'} end\n");
  CommandRun run = runSundial("rules replay --config " + (dir_ / "config.yaml").string() +
                       " --since 2026-12-01T15:00:00Z --rules " + (dir_ / "candidate").string());
  EXPECT_EQ(run.exit_code, 0) << run.output;
  // 20 CT studies change reader; the 10 MR ones do not.
  EXPECT_NE(run.output.find("30 replayed, 10 same, 20 different, 1 unreadable"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("reader: dr_a -> dr_b; destinations: {WS_A} -> {WS_B}"),
            std::string::npos) << run.output;
  EXPECT_EQ(run.output.find("study-1"), std::string::npos) << "study keys only with identifying logs";

  // --since later skips the earlier records; the running rules replay with no difference.
  CommandRun later = runSundial("rules replay --config " + (dir_ / "config.yaml").string() +
                         " --since " + std::to_string(base_ms + 20 * 60000));
  EXPECT_EQ(later.exit_code, 0) << later.output;
  EXPECT_NE(later.output.find("10 replayed, 10 same, 0 different, 1 unreadable"), std::string::npos) << later.output;
}

}  // namespace
}  // namespace sundial
