#include "engine/app/users_command.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "adapters/tls/password_hash.h"
#include "engine/app/exit_codes.h"

namespace sundial::app {
namespace {

constexpr std::size_t kMinPasswordLength = 8;

// One line from stdin; without echo when stdin is a terminal.
std::string readPassword() {
  const bool terminal = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    std::cerr << "Password: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

int runHashPassword() {
  const std::string password = readPassword();
  if (password.size() < kMinPasswordLength) {
    std::cerr << "sundial: the password must be at least " << kMinPasswordLength
              << " characters (read from standard input)\n";
    return kExitUsage;
  }
  auto hash = adapters::tls::hashPassword(password);
  if (!hash) {
    std::cerr << "sundial: " << hash.error().describe() << "\n";
    return kExitStartFailed;
  }
  std::cout << hash.value() << "\n";
  return kExitOk;
}

}  // namespace sundial::app
