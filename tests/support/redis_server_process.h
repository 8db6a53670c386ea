#pragma once
// RedisServerProcess: a real redis-server for integration tests, on a Unix socket in a
// fresh temporary folder (`--port 0`, no RDB snapshots, append-only file on request).
// Readiness is polled with a deadline. The destructor stops the server by its PID and
// removes the folder, unless the test failed: then the folder and redis.log stay, and
// their path is printed. Used from the test's main thread only.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace sundial::testing {

struct RedisServerOptions {
  bool appendonly = false;
  std::chrono::milliseconds start_timeout{5000};
};

class RedisServerProcess {
 public:
  explicit RedisServerProcess(RedisServerOptions options = {});
  ~RedisServerProcess();
  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;

  // Whether a redis-server binary is on PATH (tests skip, saying why, when not).
  static bool available();

  // Starts the server (again, after stop(), in the same folder on the same socket).
  // Returns false with a reason in error() when it does not answer PING in time.
  bool start();
  // SIGTERM and wait (Redis writes its append-only file); SIGKILL after a few seconds.
  void stop();
  // SIGKILL, no clean shutdown.
  void kill();
  bool restart() {
    stop();
    return start();
  }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // "unix:<dir>/redis.sock", as RedisClientOptions::address expects.
  std::string address() const;
  std::filesystem::path socketPath() const { return dir_ / "redis.sock"; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path logPath() const { return dir_ / "redis.log"; }
  const std::string& error() const { return error_; }

 private:
  bool waitUntilReady();
  void waitForExit(std::chrono::milliseconds timeout);

  RedisServerOptions options_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string error_;
};

}  // namespace sundial::testing
