#include "adapters/redis/embedded_redis.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "adapters/redis/redis_client.h"
#include "engine/domain/log.h"

namespace sundial::adapters::redis {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr std::string_view kSocketName = "redis.sock";
constexpr std::string_view kPidfileName = "redis.pid";
constexpr std::string_view kLogName = "redis.log";
constexpr std::string_view kServerName = "redis";  // prefix of the server's /proc comm
constexpr milliseconds kPollInterval{10};
constexpr milliseconds kKillWait{2000};
constexpr size_t kLogTailLines = 5;

// A process that exists and is not a zombie (a zombie has exited; only its entry remains).
bool isLive(pid_t pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0) return errno == EPERM;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'Z';
}

bool waitForExit(pid_t pid, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (isLive(pid)) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

// Whether `pid` is a redis-server working in `dir` (so left by a run of this data folder).
bool isRedisOfFolder(pid_t pid, const fs::path& dir) {
  const fs::path proc = "/proc/" + std::to_string(pid);
  std::ifstream comm_file(proc / "comm");
  std::string comm;
  std::getline(comm_file, comm);
  if (comm.rfind(kServerName, 0) != 0) return false;
  std::error_code error;
  const fs::path cwd = fs::read_symlink(proc / "cwd", error);
  if (error) return false;
  return fs::equivalent(cwd, dir, error) && !error;
}

pid_t readPidfile(const fs::path& path) {
  std::ifstream file(path);
  long long pid = 0;
  if (!(file >> pid) || pid <= 0 || pid > INT32_MAX) return -1;
  return static_cast<pid_t>(pid);
}

std::string logTail(const fs::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (line.empty()) continue;
    lines.push_back(std::move(line));
    if (lines.size() > kLogTailLines) lines.erase(lines.begin());
  }
  std::string tail;
  for (const auto& line : lines) tail += (tail.empty() ? "" : " / ") + line;
  return tail;
}

std::string describeStatus(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// Only async-signal-safe calls between fork and exec: the parent may have other threads.
[[noreturn]] void execServer(pid_t parent, int log_fd, const std::vector<char*>& argv) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(1);  // the parent died before prctl took effect
  ::setpgid(0, 0);                        // a terminal's Ctrl-C goes to the engine only
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  const int null_fd = ::open("/dev/null", O_RDONLY);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  ::dup2(log_fd, STDOUT_FILENO);
  ::dup2(log_fd, STDERR_FILENO);
  ::close_range(3, ~0U, 0);  // no engine socket or file leaks into Redis
  ::execvp(argv[0], argv.data());
  constexpr char kMessage[] = "sundial: cannot execute the redis-server binary\n";
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  ::_exit(127);
}

}  // namespace

EmbeddedRedis::EmbeddedRedis(EmbeddedRedisOptions options) : options_(std::move(options)) {
  std::error_code error;
  const auto absolute = fs::absolute(options_.data_dir, error);
  if (!error) options_.data_dir = absolute.lexically_normal();
}

EmbeddedRedis::~EmbeddedRedis() { stop(); }

fs::path EmbeddedRedis::socketPath() const { return options_.data_dir / kSocketName; }
fs::path EmbeddedRedis::logPath() const { return options_.data_dir / kLogName; }
fs::path EmbeddedRedis::pidfilePath() const { return options_.data_dir / kPidfileName; }
std::string EmbeddedRedis::address() const { return "unix:" + socketPath().string(); }

Result<void> EmbeddedRedis::start() {
  if (running()) return okResult();
  std::error_code error;
  fs::create_directories(options_.data_dir, error);
  if (error) {
    return makeError(ErrorCode::Unavailable,
                     "cannot create the embedded Redis data folder: " + error.message(),
                     options_.data_dir.string());
  }
  if (socketPath().string().size() >= sizeof(sockaddr_un{}.sun_path)) {
    return makeError(ErrorCode::InvalidInput,
                     "the data folder path is too long for a Unix socket path",
                     socketPath().string());
  }
  if (auto stale = stopStaleServer(); !stale) return stale;
  if (auto spawned = spawn(); !spawned) return spawned;
  if (auto ready = waitUntilReady(); !ready) return ready;
  wanted_ = true;
  return okResult();
}

Result<void> EmbeddedRedis::stopStaleServer() {
  const pid_t stale = readPidfile(pidfilePath());
  if (stale <= 0 || stale == ::getpid() || !isLive(stale)) return okResult();
  const std::string pid_text = std::to_string(stale);
  if (!isRedisOfFolder(stale, options_.data_dir)) {
    log::info("embedded_redis_pidfile_ignored",
              {{"pid", pid_text}, {"reason", "not a redis-server of this data folder"}});
    return okResult();
  }
  // Normally it is already shutting down: PR_SET_PDEATHSIG sent it SIGTERM when the previous
  // engine died, and it flushes its append-only file before exiting.
  log::warn("embedded_redis_previous_server", {{"pid", pid_text}, {"action", "waiting"}});
  if (waitForExit(stale, options_.stale_wait)) return okResult();
  log::warn("embedded_redis_previous_server", {{"pid", pid_text}, {"action", "sigterm"}});
  ::kill(stale, SIGTERM);
  if (waitForExit(stale, options_.stop_timeout)) return okResult();
  log::warn("embedded_redis_previous_server", {{"pid", pid_text}, {"action", "sigkill"}});
  ::kill(stale, SIGKILL);
  if (waitForExit(stale, kKillWait)) return okResult();
  return makeError(ErrorCode::Unavailable,
                   "a redis-server from a previous run of this data folder does not exit",
                   "pid " + pid_text + ", pidfile " + pidfilePath().string());
}

Result<void> EmbeddedRedis::spawn() {
  const std::string dir = options_.data_dir.string();
  // One option and its value per line.
  // clang-format off
  const std::vector<std::string> args = {
      options_.binary,
      "--port", "0",
      "--unixsocket", socketPath().string(),
      "--unixsocketperm", "700",
      "--dir", dir,
      "--appendonly", "yes",
      "--appendfsync", options_.appendfsync,
      "--save", "",
      "--pidfile", pidfilePath().string(),
      "--daemonize", "no",
  };
  // clang-format on
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  const int log_fd = ::open(logPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    return makeError(ErrorCode::Unavailable,
                     std::string("cannot open the embedded Redis log: ") + std::strerror(errno),
                     logPath().string());
  }
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child == 0) execServer(parent, log_fd, argv);
  const int fork_errno = errno;
  ::close(log_fd);
  if (child < 0) {
    return makeError(ErrorCode::ResourceExhausted,
                     std::string("cannot fork redis-server: ") + std::strerror(fork_errno),
                     options_.binary);
  }
  pid_ = child;
  log::info("embedded_redis_started", {{"pid", std::to_string(child)}, {"dir", dir}});
  return okResult();
}

Result<void> EmbeddedRedis::waitUntilReady() {
  const auto deadline = steady_clock::now() + options_.start_timeout;
  RedisClient probe({address(), milliseconds(200), milliseconds(500)});
  std::string last_problem = "no answer";
  while (true) {
    if (!reapIfExited()) {
      return makeError(ErrorCode::Unavailable,
                       "redis-server exited during start (" + last_exit_ + "); see " +
                           logPath().string() + ": " + logTail(logPath()),
                       "binary " + options_.binary);
    }
    auto pong = probe.command({"PING"});
    if (pong) return okResult();
    last_problem = pong.error().message;
    if (steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  terminateChild();
  return makeError(ErrorCode::Unavailable,
                   "redis-server did not answer PING within " +
                       std::to_string(options_.start_timeout.count()) + " ms (" + last_problem +
                       "); see " + logPath().string() + ": " + logTail(logPath()),
                   "binary " + options_.binary);
}

bool EmbeddedRedis::reapIfExited() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
  if (reaped == 0) return true;
  if (reaped == pid_) {
    last_exit_ = describeStatus(status);
  } else if (isLive(pid_)) {
    return true;  // not ours to reap (SIGCHLD ignored?) but still running
  } else {
    last_exit_ = "exited, status unknown";
  }
  pid_ = -1;
  return false;
}

bool EmbeddedRedis::running() { return reapIfExited(); }

void EmbeddedRedis::stop() {
  wanted_ = false;
  terminateChild();
}

void EmbeddedRedis::terminateChild() {
  if (!reapIfExited()) return;
  const std::string pid_text = std::to_string(pid_);
  ::kill(pid_, SIGTERM);
  const auto deadline = steady_clock::now() + options_.stop_timeout;
  while (reapIfExited()) {
    if (steady_clock::now() >= deadline) {
      log::warn("embedded_redis_killed", {{"pid", pid_text}, {"reason", "stop timeout"}});
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  log::info("embedded_redis_stopped", {{"pid", pid_text}});
}

Result<void> EmbeddedRedis::supervise() {
  if (!wanted_ || reapIfExited()) return okResult();
  log::warn("embedded_redis_exited", {{"status", last_exit_}, {"action", "restart"}});
  auto started = start();
  if (!started)
    log::error("embedded_redis_restart_failed", {{"error", started.error().describe()}});
  return started;
}

}  // namespace sundial::adapters::redis
