#include "tests/support/redis_server_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>
#include <thread>
#include <vector>

namespace sundial::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kBinary[] = "redis-server";
constexpr milliseconds kPollInterval{10};
constexpr milliseconds kStopTimeout{5000};

fs::path makeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "sundial-redis-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  return pattern;
}

// Sends PING over the Unix socket and waits briefly for +PONG.
bool answersPing(const fs::path& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  timeval timeout{0, 200000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    constexpr char kPing[] = "PING\r\n";
    if (::send(fd, kPing, sizeof kPing - 1, MSG_NOSIGNAL) == sizeof kPing - 1) {
      char reply[16] = {};
      const auto n = ::recv(fd, reply, sizeof reply - 1, 0);
      ok = n >= 5 && std::strncmp(reply, "+PONG", 5) == 0;
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

RedisServerProcess::RedisServerProcess(RedisServerOptions options)
    : options_(options), dir_(makeTempDir()) {}

RedisServerProcess::~RedisServerProcess() {
  stop();
  const bool failed = ::testing::Test::HasFailure();
  if (failed) {
    std::cerr << "redis-server folder kept: " << dir_.string() << " (log " << logPath().string()
              << ")\n";
    return;
  }
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

bool RedisServerProcess::available() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string_view rest = path;
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const fs::path candidate = fs::path(std::string(rest.substr(0, colon))) / kBinary;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  return false;
}

std::string RedisServerProcess::address() const { return "unix:" + socketPath().string(); }

bool RedisServerProcess::start() {
  if (pid_ > 0) return true;
  error_.clear();
  // One option and its value per line.
  // clang-format off
  const std::vector<std::string> args = {
      kBinary,
      "--port", "0",
      "--unixsocket", socketPath().string(),
      "--unixsocketperm", "700",
      "--dir", dir_.string(),
      "--save", "",
      "--appendonly", options_.appendonly ? "yes" : "no",
      "--appendfsync", "always",
      "--daemonize", "no",
  };
  // clang-format on
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const int log_fd = ::open(logPath().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) {
    error_ = "cannot open " + logPath().string();
    return false;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (child < 0) {
    error_ = "fork failed";
    return false;
  }
  pid_ = child;
  return waitUntilReady();
}

bool RedisServerProcess::waitUntilReady() {
  const auto deadline = steady_clock::now() + options_.start_timeout;
  while (steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      error_ = "redis-server exited during start; see " + logPath().string();
      return false;
    }
    if (answersPing(socketPath())) return true;
    std::this_thread::sleep_for(kPollInterval);
  }
  kill();
  error_ = "redis-server did not answer PING in time; see " + logPath().string();
  return false;
}

void RedisServerProcess::waitForExit(milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_ || reaped < 0) {
      pid_ = -1;
      return;
    }
    if (steady_clock::now() >= deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void RedisServerProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  waitForExit(kStopTimeout);
}

void RedisServerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  waitForExit(kStopTimeout);
}

}  // namespace sundial::testing
