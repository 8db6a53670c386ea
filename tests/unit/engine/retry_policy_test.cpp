#include "engine/forward/retry_policy.h"

#include <gtest/gtest.h>

namespace sundial::engine {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, BacksOffExponentiallyWithJitterUpToTheCap) {
  RetryPolicy policy(10, milliseconds(1000), milliseconds(8000), 42);
  for (int attempt = 1; attempt <= 6; ++attempt) {
    long long nominal = std::min(1000LL << (attempt - 1), 8000LL);
    auto wait = policy.backoff(attempt).count();
    EXPECT_GE(wait, nominal / 2) << "attempt " << attempt;
    EXPECT_LE(wait, nominal) << "attempt " << attempt;
  }
}

TEST(RetryPolicy, RetriesTransientFailuresUntilTheLimit) {
  RetryPolicy policy(3, milliseconds(10), milliseconds(100), 1);
  EXPECT_TRUE(policy.shouldRetry(ErrorCode::Unavailable, 1));
  EXPECT_TRUE(policy.shouldRetry(ErrorCode::ResourceExhausted, 2));
  EXPECT_TRUE(policy.shouldRetry(ErrorCode::Rejected, 2));
  EXPECT_FALSE(policy.shouldRetry(ErrorCode::Unavailable, 3));
}

TEST(RetryPolicy, NeverRetriesWhatCannotPass) {
  RetryPolicy policy(10, milliseconds(10), milliseconds(100), 1);
  EXPECT_FALSE(policy.shouldRetry(ErrorCode::InvalidInput, 1));
  EXPECT_FALSE(policy.shouldRetry(ErrorCode::NotFound, 1));
}

TEST(RetryPolicy, SameSeedSameWaits) {
  RetryPolicy a(10, milliseconds(1000), milliseconds(60000), 7);
  RetryPolicy b(10, milliseconds(1000), milliseconds(60000), 7);
  for (int i = 1; i < 8; ++i) EXPECT_EQ(a.backoff(i), b.backoff(i));
}

}  // namespace
}  // namespace sundial::engine
