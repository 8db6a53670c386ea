#include "engine/auth/login_throttle.h"

namespace sundial::engine::auth {

LoginThrottle::LoginThrottle(ThrottleSettings settings, const Clock& clock)
    : settings_(settings), clock_(clock) {}

std::optional<std::chrono::seconds> LoginThrottle::remaining(
    const std::map<std::string, Entry>& map, const std::string& key, SteadyTime now) const {
  auto it = map.find(key);
  if (it == map.end() || it->second.locked_until <= now) return std::nullopt;
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  return left;
}

std::optional<std::chrono::seconds> LoginThrottle::lockedFor(const std::string& user,
                                                             const std::string& address) const {
  const SteadyTime now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  auto by_user = remaining(by_user_, user, now);
  auto by_address = remaining(by_address_, address, now);
  if (by_user && by_address) return std::max(*by_user, *by_address);
  return by_user ? by_user : by_address;
}

void LoginThrottle::fail(std::map<std::string, Entry>& map, const std::string& key, int limit,
                         SteadyTime now) {
  if (map.size() >= settings_.max_tracked && !map.contains(key)) {
    // Forget entries with nothing left to say; if all are live, the first one (a bound on
    // memory matters more than one key's history under a flood of random names).
    std::erase_if(map, [&](const auto& item) {
      const Entry& e = item.second;
      return e.locked_until <= now &&
             (e.failures.empty() || e.failures.back() + settings_.window <= now);
    });
    if (map.size() >= settings_.max_tracked) map.erase(map.begin());
  }
  Entry& entry = map[key];
  while (!entry.failures.empty() && entry.failures.front() + settings_.window <= now) {
    entry.failures.pop_front();
  }
  entry.failures.push_back(now);
  if (static_cast<int>(entry.failures.size()) >= limit) {
    entry.locked_until = now + settings_.lockout;
    entry.failures.clear();
  }
}

void LoginThrottle::recordFailure(const std::string& user, const std::string& address) {
  const SteadyTime now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  fail(by_user_, user, settings_.max_failures, now);
  fail(by_address_, address, settings_.max_failures * settings_.address_factor, now);
}

void LoginThrottle::recordSuccess(const std::string& user) {
  std::lock_guard lock(mutex_);
  auto it = by_user_.find(user);
  if (it != by_user_.end() && it->second.locked_until <= clock_.steadyNow()) by_user_.erase(it);
}

}  // namespace sundial::engine::auth
