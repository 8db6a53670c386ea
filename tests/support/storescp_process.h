#pragma once
// StorescpProcess: a real DCMTK `storescp` started by an integration test as a C-STORE
// destination on loopback. Owns the child process (stopped by PID, never by name) and its
// log, which is kept and printed when the test failed. Used from the test's thread only.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/domain/result.h"

namespace sundial::testing {

struct StorescpOptions {
  std::string ae_title = "STORESCP";
  std::filesystem::path output_dir;     // received files land here; created if missing
  std::uint16_t port = 0;               // 0: a free port, found by binding to port 0
  bool accept_all_syntaxes = false;     // +xa; otherwise storescp's default: uncompressed only
  bool refuse_associations = false;     // --refuse: reject every association request
  std::uint32_t max_pdu_bytes = 0;      // -pdu; 0 keeps storescp's default (16384)
  std::vector<std::string> extra_args;  // anything else, before the port
  std::vector<std::string> probe_args;  // extra echoscu arguments for the readiness probe (TLS)
  std::filesystem::path log_path;       // default: <output_dir>/../storescp-<AE>-<port>.log
  std::chrono::milliseconds ready_timeout{10000};
};

class StorescpProcess {
 public:
  explicit StorescpProcess(StorescpOptions options);
  ~StorescpProcess();  // stop(); keeps and prints the log if the current test failed
  StorescpProcess(const StorescpProcess&) = delete;
  StorescpProcess& operator=(const StorescpProcess&) = delete;

  // Starts storescp (environment TCP_NODELAY=1) and polls it with echoscu until it answers,
  // or, when refusing, until it has refused a probe; fails after ready_timeout.
  Result<void> start();
  // SIGTERM, then SIGKILL after a grace period; waits for the child. Safe to call twice.
  void stop();

  bool running() const { return pid_ > 0; }
  std::uint16_t port() const { return port_; }
  const std::string& aeTitle() const { return options_.ae_title; }
  const std::filesystem::path& outputDir() const { return options_.output_dir; }
  const std::filesystem::path& logPath() const { return log_path_; }
  std::string log() const;

  // Associations storescp received since it became ready (the readiness probe not counted).
  int associationsReceived() const;

  // A port that was free a moment ago (bind to port 0 on 127.0.0.1, read it, close).
  static std::uint16_t findFreePort();

 private:
  int countInLog(const std::string& needle) const;
  bool probeOnce() const;

  StorescpOptions options_;
  std::filesystem::path log_path_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  int baseline_associations_ = 0;
};

}  // namespace sundial::testing
