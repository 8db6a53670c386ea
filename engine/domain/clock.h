#pragma once
// Clock: the one source of time. Steady time for timeouts, quiet periods and retries;
// UTC system time for recorded events and TAT. Injected so tests advance it by hand.

#include <algorithm>
#include <chrono>

namespace sundial {

using SteadyTime = std::chrono::steady_clock::time_point;
using UtcTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SteadyTime steadyNow() const = 0;
  virtual UtcTime utcNow() const = 0;
};

// The real clocks. Safe to call from any thread.
class SystemClock final : public Clock {
 public:
  SteadyTime steadyNow() const override { return std::chrono::steady_clock::now(); }
  UtcTime utcNow() const override { return std::chrono::system_clock::now(); }
};

// Milliseconds since the Unix epoch: the unit used wherever UTC time crosses a boundary.
inline long long toEpochMs(UtcTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The epoch milliseconds a UtcTime holds: its count is in nanoseconds, so about the years
// 1678 to 2262. Converting a count beyond that overflows (undefined behaviour; found by the
// HTTP fuzz target through due_ms, due_before and observed_at_ms): a time from outside (an
// API body or query, a token) is checked with isUtcEpochMs and refused, and fromEpochMs
// clamps whatever still gets there (Redis data, rules) rather than overflow.
inline constexpr long long kMaxUtcEpochMs =
    std::chrono::duration_cast<std::chrono::milliseconds>(UtcTime::duration::max()).count();
inline constexpr long long kMinUtcEpochMs =
    std::chrono::duration_cast<std::chrono::milliseconds>(UtcTime::duration::min()).count();
inline constexpr bool isUtcEpochMs(long long ms) {
  return ms >= kMinUtcEpochMs && ms <= kMaxUtcEpochMs;
}
inline UtcTime fromEpochMs(long long ms) {
  return UtcTime(std::chrono::milliseconds(std::clamp(ms, kMinUtcEpochMs, kMaxUtcEpochMs)));
}

}  // namespace sundial
