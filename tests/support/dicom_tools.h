#pragma once
// Launchers for DCMTK's command-line tools (storescu, echoscu, dcmodify ...) used as real
// peers by integration tests, and a free-port finder. Processes are started by the test,
// waited for with a deadline and, if still running then, killed by PID.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace sundial::testing {

struct ToolResult {
  int exit_code = -1;      // the tool's exit status; -1 when killed or not started
  bool timed_out = false;  // killed at the deadline
  std::string output;      // stdout and stderr, interleaved
};

// A tool running in the background (for concurrent senders). Not copyable; the destructor
// kills and reaps a process that was never waited for.
class ToolProcess {
 public:
  // Starts `program` (looked up in PATH) with `args`; output goes to a file in `log_dir`
  // (kept for reading after a failure).
  ToolProcess(const std::string& program, const std::vector<std::string>& args,
              const std::filesystem::path& log_dir);
  ~ToolProcess();
  ToolProcess(const ToolProcess&) = delete;
  ToolProcess& operator=(const ToolProcess&) = delete;

  // Waits until the process exits or `timeout` passes (then kills it).
  ToolResult wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }
  const std::filesystem::path& logFile() const { return log_file_; }

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_file_;
  bool reaped_ = false;
};

// Runs a tool to completion (or the deadline) and returns its exit code and output.
ToolResult runTool(const std::string& program, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

// storescu/echoscu against `host:port` with the given AE titles; `extra` go before the host
// (options), `files` after the port.
ToolResult runStorescu(const std::string& calling_ae, const std::string& called_ae,
                       std::uint16_t port, const std::vector<std::string>& files,
                       const std::vector<std::string>& extra = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));
ToolResult runEchoscu(const std::string& calling_ae, const std::string& called_ae,
                      std::uint16_t port, const std::vector<std::string>& extra = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
std::vector<std::string> storescuArgs(const std::string& calling_ae, const std::string& called_ae,
                                      std::uint16_t port, const std::vector<std::string>& files,
                                      const std::vector<std::string>& extra = {});

// Whether `program` is found in PATH (tests skip, saying why, when a peer is missing).
bool toolAvailable(const std::string& program);

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
std::uint16_t findFreePort();

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// A fresh folder under the system temporary folder; the caller removes it.
std::filesystem::path makeTempDir(const std::string& prefix);

}  // namespace sundial::testing
