#pragma once
// RetryPolicy: exponential backoff with jitter for forward jobs, and when to give up.
// Pure apart from its seeded random generator; one per worker thread.

#include <chrono>
#include <cstdint>
#include <random>

#include "engine/domain/result.h"

namespace sundial::engine {

class RetryPolicy {
 public:
  RetryPolicy(int max_attempts, std::chrono::milliseconds initial, std::chrono::milliseconds max,
              std::uint64_t seed);

  // Whether a job that has now failed `attempts` times (this failure included) with `code`
  // should be tried again.
  bool shouldRetry(ErrorCode code, int attempts) const;

  // The wait before the next try after `attempts` failures: initial * 2^(attempts-1), capped,
  // then scaled by a random factor in [0.5, 1] so that many jobs do not retry in lockstep.
  std::chrono::milliseconds backoff(int attempts);

 private:
  int max_attempts_;
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::mt19937_64 random_;
};

}  // namespace sundial::engine
