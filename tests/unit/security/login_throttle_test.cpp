#include "engine/auth/login_throttle.h"

#include <gtest/gtest.h>

#include "tests/support/fakes.h"

namespace sundial::engine::auth {
namespace {

using namespace std::chrono_literals;

ThrottleSettings settings() { return ThrottleSettings{3, 60s, 300s, 4, 1000}; }

TEST(LoginThrottle, LocksAUserOutAfterTooManyFailures) {
  sundial::testing::FakeClock clock;
  LoginThrottle throttle(settings(), clock);
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(throttle.lockedFor("alice", "10.0.0.1"));
    throttle.recordFailure("alice", "10.0.0.1");
  }
  EXPECT_FALSE(throttle.lockedFor("alice", "10.0.0.1"));
  throttle.recordFailure("alice", "10.0.0.2");  // third failure, from elsewhere
  auto locked = throttle.lockedFor("alice", "10.0.0.9");
  ASSERT_TRUE(locked);
  EXPECT_EQ(*locked, 300s);
  EXPECT_FALSE(throttle.lockedFor("bob", "10.0.0.1"));  // others go on
  clock.advance(299s);
  EXPECT_EQ(throttle.lockedFor("alice", "10.0.0.9"), 1s);
  clock.advance(1s);
  EXPECT_FALSE(throttle.lockedFor("alice", "10.0.0.9"));
}

TEST(LoginThrottle, ForgetsFailuresOlderThanTheWindow) {
  sundial::testing::FakeClock clock;
  LoginThrottle throttle(settings(), clock);
  throttle.recordFailure("alice", "a");
  throttle.recordFailure("alice", "a");
  clock.advance(61s);
  throttle.recordFailure("alice", "a");
  EXPECT_FALSE(throttle.lockedFor("alice", "a"));
}

TEST(LoginThrottle, ASuccessClearsTheUsersFailures) {
  sundial::testing::FakeClock clock;
  LoginThrottle throttle(settings(), clock);
  throttle.recordFailure("alice", "a");
  throttle.recordFailure("alice", "a");
  throttle.recordSuccess("alice");
  throttle.recordFailure("alice", "a");
  EXPECT_FALSE(throttle.lockedFor("alice", "a"));
}

TEST(LoginThrottle, LocksOutAnAddressTryingManyNames) {
  sundial::testing::FakeClock clock;
  LoginThrottle throttle(settings(), clock);
  for (int i = 0; i < 11; ++i) throttle.recordFailure("user" + std::to_string(i), "6.6.6.6");
  EXPECT_FALSE(throttle.lockedFor("someone", "6.6.6.6"));  // 11 < 3 x 4
  throttle.recordFailure("user11", "6.6.6.6");
  EXPECT_TRUE(throttle.lockedFor("someone", "6.6.6.6"));
  EXPECT_FALSE(throttle.lockedFor("someone", "7.7.7.7"));
}

TEST(LoginThrottle, StaysWithinItsMemoryBound) {
  sundial::testing::FakeClock clock;
  ThrottleSettings small = settings();
  small.max_tracked = 10;
  LoginThrottle throttle(small, clock);
  for (int i = 0; i < 1000; ++i) throttle.recordFailure(std::to_string(i), std::to_string(i));
  // Nothing to assert on size from outside but that it still works and does not lock all.
  EXPECT_FALSE(throttle.lockedFor("new", "new"));
}

}  // namespace
}  // namespace sundial::engine::auth
