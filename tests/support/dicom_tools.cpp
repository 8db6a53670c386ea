#include "tests/support/dicom_tools.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sundial::testing {
namespace fs = std::filesystem;

namespace {

std::atomic<int> g_log_counter{0};

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

fs::path makeTempDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

ToolProcess::ToolProcess(const std::string& program, const std::vector<std::string>& args,
                         const fs::path& log_dir) {
  log_file_ = log_dir / (fs::path(program).filename().string() + "-" +
                         std::to_string(::getpid()) + "-" + std::to_string(g_log_counter++) +
                         ".log");
  std::vector<std::string> argv_storage;
  argv_storage.push_back(program);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int fd = ::open(log_file_.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create tool log " + log_file_.string());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execvp(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fd);
  if (pid_ < 0) throw std::runtime_error("fork failed for " + program);
}

ToolProcess::~ToolProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

ToolResult ToolProcess::wait(std::chrono::milliseconds timeout) {
  ToolResult result;
  if (pid_ <= 0 || reaped_) return result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      result.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reaped_ = true;
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  result.output = readAll(log_file_);
  return result;
}

ToolResult runTool(const std::string& program, const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout) {
  ToolProcess process(program, args, fs::temp_directory_path());
  ToolResult result = process.wait(timeout);
  std::error_code ec;
  fs::remove(process.logFile(), ec);
  return result;
}

std::vector<std::string> storescuArgs(const std::string& calling_ae, const std::string& called_ae,
                                      std::uint16_t port, const std::vector<std::string>& files,
                                      const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"-v", "-aet", calling_ae, "-aec", called_ae};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("127.0.0.1");
  args.push_back(std::to_string(port));
  args.insert(args.end(), files.begin(), files.end());
  return args;
}

ToolResult runStorescu(const std::string& calling_ae, const std::string& called_ae,
                       std::uint16_t port, const std::vector<std::string>& files,
                       const std::vector<std::string>& extra, std::chrono::milliseconds timeout) {
  return runTool("storescu", storescuArgs(calling_ae, called_ae, port, files, extra), timeout);
}

ToolResult runEchoscu(const std::string& calling_ae, const std::string& called_ae,
                      std::uint16_t port, const std::vector<std::string>& extra,
                      std::chrono::milliseconds timeout) {
  std::vector<std::string> args = {"-v", "-aet", calling_ae, "-aec", called_ae};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("127.0.0.1");
  args.push_back(std::to_string(port));
  return runTool("echoscu", args, timeout);
}

bool toolAvailable(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::uint16_t findFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind to port 0");
  }
  std::uint16_t port = ntohs(address.sin_port);
  ::close(fd);
  return port;
}

bool waitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace sundial::testing
