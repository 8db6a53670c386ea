#include "tests/support/storescp_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

extern char** environ;

namespace sundial::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 50ms;
constexpr auto kStopGrace = 3s;
constexpr const char* kProbeAeTitle = "SUNDIAL_PROBE";

// The current environment with TCP_NODELAY=1 (DCMTK leaves Nagle on otherwise).
std::vector<std::string> childEnvironment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::strncmp(*entry, "TCP_NODELAY=", 12) == 0) continue;
    env.emplace_back(*entry);
  }
  env.emplace_back("TCP_NODELAY=1");
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Runs a program with stdout/stderr sent to `output` (appended), returns its pid or -1.
pid_t spawn(std::vector<std::string> argv, const std::filesystem::path& output) {
  std::vector<std::string> env = childEnvironment();
  std::vector<char*> argv_ptrs = pointers(argv);
  std::vector<char*> env_ptrs = pointers(env);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv_ptrs[0], &actions, nullptr, argv_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

// Waits for `pid` up to `deadline`; returns true when it has exited (and was reaped).
bool waitUntil(pid_t pid, std::chrono::steady_clock::time_point deadline, int* status) {
  while (true) {
    pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace

StorescpProcess::StorescpProcess(StorescpOptions options) : options_(std::move(options)) {}

StorescpProcess::~StorescpProcess() {
  stop();
  if (log_path_.empty()) return;
  if (::testing::Test::HasFailure()) {
    std::cerr << "storescp log kept: " << log_path_ << "\n----- last lines -----\n";
    std::string text = log();
    std::size_t from = text.size() > 4000 ? text.size() - 4000 : 0;
    std::cerr << text.substr(from) << "\n----------------------\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove(log_path_, ignored);
}

std::uint16_t StorescpProcess::findFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

Result<void> StorescpProcess::start() {
  if (running()) return okResult();
  std::error_code fs_error;
  std::filesystem::create_directories(options_.output_dir, fs_error);
  if (fs_error) {
    return makeError(ErrorCode::Internal,
                     "cannot create " + options_.output_dir.string() + ": " + fs_error.message());
  }
  port_ = options_.port != 0 ? options_.port : findFreePort();
  if (port_ == 0) return makeError(ErrorCode::Unavailable, "no free port found");
  log_path_ = !options_.log_path.empty()
                  ? options_.log_path
                  : options_.output_dir.parent_path() /
                        ("storescp-" + options_.ae_title + "-" + std::to_string(port_) + ".log");

  std::vector<std::string> argv = {"storescp",        "-v",  "-aet",
                                   options_.ae_title, "-od", options_.output_dir.string()};
  if (options_.accept_all_syntaxes) argv.push_back("+xa");
  if (options_.refuse_associations) argv.push_back("--refuse");
  if (options_.max_pdu_bytes != 0) {
    argv.push_back("-pdu");
    argv.push_back(std::to_string(options_.max_pdu_bytes));
  }
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  argv.push_back(std::to_string(port_));
  {
    std::ofstream header(log_path_, std::ios::app);
    header << "# started:";
    for (const std::string& arg : argv) header << ' ' << arg;
    header << '\n';
  }
  pid_ = spawn(argv, log_path_);
  if (pid_ <= 0) {
    pid_ = -1;
    return makeError(ErrorCode::Unavailable,
                     "cannot start storescp (is the dcmtk package installed?)");
  }

  auto deadline = std::chrono::steady_clock::now() + options_.ready_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return makeError(ErrorCode::Unavailable,
                       "storescp exited during start-up; log: " + log_path_.string());
    }
    if (probeOnce()) {
      baseline_associations_ = countInLog("Association Received");
      return okResult();
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  stop();
  return makeError(ErrorCode::Timeout, "storescp not ready on port " + std::to_string(port_) +
                                           " within the deadline; log: " + log_path_.string());
}

bool StorescpProcess::probeOnce() const {
  std::filesystem::path probe_log = log_path_;
  probe_log += ".probe";
  std::vector<std::string> argv = {"echoscu", "-aet", kProbeAeTitle, "-aec", options_.ae_title,
                                   "-to",     "1",   "-ta",         "2"};
  argv.insert(argv.end(), options_.probe_args.begin(), options_.probe_args.end());
  argv.push_back("127.0.0.1");
  argv.push_back(std::to_string(port_));
  pid_t probe = spawn(argv, probe_log);
  if (probe <= 0) return false;
  int status = 0;
  if (!waitUntil(probe, std::chrono::steady_clock::now() + 5s, &status)) {
    kill(probe, SIGKILL);
    waitpid(probe, &status, 0);
    return false;
  }
  std::error_code ignored;
  std::filesystem::remove(probe_log, ignored);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  // A refusing storescp never answers an echo; that it refused one shows it is listening.
  return options_.refuse_associations && countInLog("Refusing Association") > 0;
}

void StorescpProcess::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  if (!waitUntil(pid_, std::chrono::steady_clock::now() + kStopGrace, &status)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

std::string StorescpProcess::log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int StorescpProcess::countInLog(const std::string& needle) const {
  std::string text = log();
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

int StorescpProcess::associationsReceived() const {
  return countInLog("Association Received") - baseline_associations_;
}

}  // namespace sundial::testing
