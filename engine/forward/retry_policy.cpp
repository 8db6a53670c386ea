#include "engine/forward/retry_policy.h"

#include <algorithm>

namespace sundial::engine {

RetryPolicy::RetryPolicy(int max_attempts, std::chrono::milliseconds initial,
                         std::chrono::milliseconds max, std::uint64_t seed)
    : max_attempts_(max_attempts), initial_(initial), max_(max), random_(seed) {}

bool RetryPolicy::shouldRetry(ErrorCode code, int attempts) const {
  // Rejected (the peer refused the association) usually needs a configuration change on one
  // side, which people do while the job waits: it keeps its attempts like a transient error.
  bool worth_retrying = isRetryable(code) || code == ErrorCode::Rejected;
  return worth_retrying && attempts < max_attempts_;
}

std::chrono::milliseconds RetryPolicy::backoff(int attempts) {
  int exponent = std::clamp(attempts - 1, 0, 30);
  double base = static_cast<double>(initial_.count()) * static_cast<double>(1ull << exponent);
  base = std::min(base, static_cast<double>(max_.count()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(base * jitter(random_)));
}

}  // namespace sundial::engine
