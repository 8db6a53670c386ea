#pragma once
// Clock: the one source of time. Steady time for timeouts, quiet periods and retries;
// UTC system time for recorded events and TAT. Injected so tests advance it by hand.

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
inline UtcTime fromEpochMs(long long ms) { return UtcTime(std::chrono::milliseconds(ms)); }

}  // namespace sundial
