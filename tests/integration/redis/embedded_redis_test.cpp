// EmbeddedRedis: start, stop, restart with the append-only file, a missing binary, stale
// pidfiles, and no Redis left behind when the engine is killed.

#include "adapters/redis/embedded_redis.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "adapters/redis/redis_client.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

namespace fs = std::filesystem;

bool processExists(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || line.size() <= close + 2 || line[close + 2] != 'Z';
}

bool waitGone(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (processExists(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class EmbeddedRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::RedisServerProcess::available()) GTEST_SKIP() << "redis-server is not on PATH";
    std::string pattern = (fs::temp_directory_path() / "sundial-embedded-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (dir_.empty()) return;
    if (HasFailure()) {
      std::cerr << "embedded redis folder kept: " << dir_ << "\n";
      return;
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  EmbeddedRedisOptions options() const {
    EmbeddedRedisOptions options;
    options.data_dir = dir_ / "redis";
    options.stale_wait = 100ms;
    return options;
  }

  static Result<Reply> run(const EmbeddedRedis& redis, const std::vector<std::string>& args) {
    RedisClient client({redis.address(), 500ms, 1000ms});
    return client.command(args);
  }

  fs::path dir_;
};

TEST_F(EmbeddedRedisTest, StartsOnASocketInTheDataFolderAndStops) {
  EmbeddedRedis redis(options());
  auto started = redis.start();
  ASSERT_TRUE(started.ok()) << started.error().describe();
  EXPECT_EQ(redis.address(), "unix:" + (dir_ / "redis" / "redis.sock").string());
  EXPECT_TRUE(redis.running());
  auto pong = run(redis, {"PING"});
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->str, "PONG");
  auto aof = run(redis, {"CONFIG", "GET", "appendonly"});
  ASSERT_TRUE(aof.ok());
  ASSERT_EQ(aof->elements.size(), 2u);
  EXPECT_EQ(aof->elements[1].str, "yes");

  const pid_t pid = redis.pidForTest();
  redis.stop();
  EXPECT_FALSE(redis.running());
  EXPECT_FALSE(processExists(pid));
  EXPECT_TRUE(redis.supervise().ok()) << "a stopped server is not restarted";
  EXPECT_FALSE(redis.running());
}

TEST_F(EmbeddedRedisTest, AppendOnlyFileKeepsDataAcrossARestart) {
  {
    EmbeddedRedis redis(options());
    ASSERT_TRUE(redis.start().ok());
    ASSERT_TRUE(run(redis, {"SET", "study", "kept"}).ok());
  }
  EmbeddedRedis again(options());
  auto started = again.start();
  ASSERT_TRUE(started.ok()) << started.error().describe();
  auto value = run(again, {"GET", "study"});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->str, "kept");
}

TEST_F(EmbeddedRedisTest, MissingBinaryFailsNamingTheLogFile) {
  auto opts = options();
  opts.binary = "sundial-no-such-redis-server";
  EmbeddedRedis redis(opts);
  auto started = redis.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::Unavailable);
  EXPECT_NE(started.error().message.find(redis.logPath().string()), std::string::npos)
      << started.error().describe();
  EXPECT_NE(started.error().message.find("cannot execute"), std::string::npos)
      << started.error().describe();
}

TEST_F(EmbeddedRedisTest, SuperviseRestartsAServerThatDied) {
  EmbeddedRedis redis(options());
  ASSERT_TRUE(redis.start().ok());
  const pid_t first = redis.pidForTest();
  ASSERT_EQ(::kill(first, SIGKILL), 0);
  // Until every thread of the killed server has gone it cannot be reaped and still counts
  // as running; the app's next periodic call restarts it.
  const auto deadline = std::chrono::steady_clock::now() + 2000ms;
  while (redis.running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_FALSE(redis.running());
  auto supervised = redis.supervise();
  ASSERT_TRUE(supervised.ok()) << supervised.error().describe();
  EXPECT_NE(redis.pidForTest(), first);
  EXPECT_TRUE(run(redis, {"PING"}).ok());
}

TEST_F(EmbeddedRedisTest, ServerLeftByAPreviousRunOfTheFolderIsStoppedFirst) {
  EmbeddedRedis previous(options());
  ASSERT_TRUE(previous.start().ok());
  const pid_t stale = previous.pidForTest();
  ASSERT_TRUE(run(previous, {"SET", "k", "v"}).ok());

  EmbeddedRedis next(options());
  auto started = next.start();
  ASSERT_TRUE(started.ok()) << started.error().describe();
  EXPECT_FALSE(processExists(stale));
  EXPECT_NE(next.pidForTest(), stale);
  auto value = run(next, {"GET", "k"});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->str, "v");
}

TEST_F(EmbeddedRedisTest, PidfileNamingAnUnrelatedProcessIsLeftAlone) {
  const pid_t bystander = ::fork();
  ASSERT_GE(bystander, 0);
  if (bystander == 0) {
    ::execlp("sleep", "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  fs::create_directories(dir_ / "redis");
  std::ofstream(dir_ / "redis" / "redis.pid") << bystander << "\n";

  EmbeddedRedis redis(options());
  auto started = redis.start();
  EXPECT_TRUE(started.ok()) << started.error().describe();
  EXPECT_TRUE(processExists(bystander));
  ::kill(bystander, SIGKILL);
  ::waitpid(bystander, nullptr, 0);
}

TEST_F(EmbeddedRedisTest, KillingTheEngineLeavesNoRedisBehind) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t engine = ::fork();
  ASSERT_GE(engine, 0);
  if (engine == 0) {
    ::close(pipe_fds[0]);
    EmbeddedRedis redis(options());
    pid_t child = redis.start().ok() ? redis.pidForTest() : -1;
    [[maybe_unused]] auto written = ::write(pipe_fds[1], &child, sizeof child);
    ::raise(SIGKILL);
    ::_exit(1);
  }
  ::close(pipe_fds[1]);
  pid_t redis_pid = -1;
  ASSERT_EQ(::read(pipe_fds[0], &redis_pid, sizeof redis_pid),
            static_cast<ssize_t>(sizeof redis_pid));
  ::close(pipe_fds[0]);
  ::waitpid(engine, nullptr, 0);
  ASSERT_GT(redis_pid, 0);
  EXPECT_TRUE(waitGone(redis_pid, 5000ms))
      << "redis-server " << redis_pid << " outlived the engine";
}

}  // namespace
}  // namespace sundial::adapters::redis
