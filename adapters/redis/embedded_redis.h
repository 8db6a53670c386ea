#pragma once
// EmbeddedRedis: starts and supervises a redis-server child process on a Unix socket inside
// the node's data folder (the one-node default when no Redis address is configured).
//
// Threads: call start(), supervise() and stop() from one thread that lives as long as the
// process (the main thread). The child gets PR_SET_PDEATHSIG(SIGTERM), which Linux sends when
// the *thread* that forked it ends, so forking from a short-lived thread would stop Redis
// early. With it, a kill -9 of the engine does not leave Redis behind.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "engine/domain/result.h"

namespace sundial::adapters::redis {

struct EmbeddedRedisOptions {
  std::filesystem::path data_dir;                 // holds redis.sock, redis.pid, redis.log, AOF
  std::string binary = "redis-server";            // RedisConfig::server_binary; PATH is searched
  std::string appendfsync = "always";             // RedisConfig::appendfsync
  std::chrono::milliseconds start_timeout{5000};  // until PING answers
  std::chrono::milliseconds stop_timeout{5000};   // after SIGTERM, before SIGKILL
  std::chrono::milliseconds stale_wait{3000};     // for a previous run's server to exit
};

class EmbeddedRedis {
 public:
  explicit EmbeddedRedis(EmbeddedRedisOptions options);
  ~EmbeddedRedis();  // stop()
  EmbeddedRedis(const EmbeddedRedis&) = delete;
  EmbeddedRedis& operator=(const EmbeddedRedis&) = delete;

  // Creates the data folder, deals with a server left by a previous run of this folder (its
  // pidfile names a live redis-server working in this folder: wait for it to exit, then
  // SIGTERM, then SIGKILL, by that PID only), starts redis-server and waits for PING.
  // Errors name the log file: Unavailable when it does not come up in time or exits
  // (binary missing, port or file trouble), InvalidInput for a socket path too long.
  Result<void> start();

  // SIGTERM (Redis flushes its append-only file and exits), SIGKILL after stop_timeout.
  // Idempotent.
  void stop();

  // For periodic calls: when the child has exited, reaps it, logs why and starts it again.
  // Ok when it is running (or was restarted).
  Result<void> supervise();

  bool running();
  // "unix:<data_dir>/redis.sock", for RedisClientOptions::address.
  std::string address() const;
  std::filesystem::path socketPath() const;
  std::filesystem::path logPath() const;
  std::filesystem::path pidfilePath() const;
  pid_t pidForTest() const { return pid_; }

 private:
  Result<void> stopStaleServer();
  Result<void> spawn();
  Result<void> waitUntilReady();
  // SIGTERM, then SIGKILL after stop_timeout; reaps the child.
  void terminateChild();
  // Reaps the child if it has exited; returns whether it is still running.
  bool reapIfExited();

  EmbeddedRedisOptions options_;
  pid_t pid_ = -1;
  bool wanted_ = false;    // start() succeeded and stop() has not been called since
  std::string last_exit_;  // how the last child ended, for errors and logs
};

}  // namespace sundial::adapters::redis
