#pragma once
// Slows password guessing: after `max_failures` failed log-ins within `window` for one user
// name, that name is locked out for `lockout`; one address gets four times as many failures
// (several people may share it) before it is locked out, whatever names it tries.
// Kept in this node's memory: with several nodes behind a balancer an attacker gets the
// allowance once per node, which still bounds guessing. Thread-safe.

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/domain/clock.h"

namespace sundial::engine::auth {

struct ThrottleSettings {
  int max_failures = 5;
  std::chrono::seconds window{300};
  std::chrono::seconds lockout{300};
  int address_factor = 4;           // an address may fail this many times more often
  std::size_t max_tracked = 100'000;  // keys remembered at most (oldest dropped)
};

class LoginThrottle {
 public:
  LoginThrottle(ThrottleSettings settings, const Clock& clock);

  // How long the user or the address is still locked out; std::nullopt when a try may go on.
  std::optional<std::chrono::seconds> lockedFor(const std::string& user,
                                                const std::string& address) const;
  void recordFailure(const std::string& user, const std::string& address);
  // A success clears the user's failures (not the address's: one good account must not
  // launder guesses at others).
  void recordSuccess(const std::string& user);

 private:
  struct Entry {
    std::deque<SteadyTime> failures;  // within the window, oldest first
    SteadyTime locked_until{};
  };
  void fail(std::map<std::string, Entry>& map, const std::string& key, int limit, SteadyTime now);
  std::optional<std::chrono::seconds> remaining(const std::map<std::string, Entry>& map,
                                                const std::string& key, SteadyTime now) const;

  const ThrottleSettings settings_;
  const Clock& clock_;
  mutable std::mutex mutex_;  // guards by_user_ and by_address_
  std::map<std::string, Entry> by_user_;
  std::map<std::string, Entry> by_address_;
};

}  // namespace sundial::engine::auth
