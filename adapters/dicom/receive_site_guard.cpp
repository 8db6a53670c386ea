#include "adapters/dicom/receive_site_guard.h"

#include <algorithm>

namespace sundial::adapters::dicom {

SiteGuard::SiteGuard(std::map<std::string, SiteEdgePolicy> policies, const Clock& clock)
    : policies_(std::move(policies)), clock_(clock) {}

std::optional<std::string> SiteGuard::admit(const std::string& site, const TlsPeer& peer,
                                            bool& transient) {
  transient = false;
  auto found = policies_.find(site);
  if (found == policies_.end()) return std::nullopt;
  const SiteEdgePolicy& policy = found->second;
  if (policy.require_tls && !peer.over_tls) return "site requires DICOM over TLS";
  if (!policy.certificate_names.empty()) {
    if (!peer.has_certificate) return "site requires a client certificate";
    if (std::find(policy.certificate_names.begin(), policy.certificate_names.end(),
                  peer.common_name) == policy.certificate_names.end()) {
      return "client certificate CN '" + peer.common_name + "' is not one of the site's";
    }
  }
  std::lock_guard lock(mutex_);
  SiteState& state = state_[site];
  if (policy.max_associations > 0 && state.open >= policy.max_associations) {
    transient = true;
    return "site already has " + std::to_string(state.open) + " associations (its limit)";
  }
  ++state.open;
  return std::nullopt;
}

void SiteGuard::release(const std::string& site) {
  std::lock_guard lock(mutex_);
  auto it = state_.find(site);
  if (it != state_.end() && it->second.open > 0) --it->second.open;
}

std::chrono::milliseconds SiteGuard::charge(const std::string& site, std::uint64_t bytes) {
  auto found = policies_.find(site);
  if (found == policies_.end() || found->second.max_bytes_per_minute == 0) {
    return std::chrono::milliseconds::zero();
  }
  // A token bucket holding one minute's worth: bursts up to the minute's allowance go
  // through at once, a steady flow above it is held to the rate.
  const double capacity = static_cast<double>(found->second.max_bytes_per_minute);
  const double per_ms = capacity / 60'000.0;
  const SteadyTime now = clock_.steadyNow();
  std::lock_guard lock(mutex_);
  SiteState& state = state_[site];
  if (!state.primed) {
    state.tokens = capacity;
    state.refilled_at = now;
    state.primed = true;
  }
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(now - state.refilled_at).count();
  state.tokens = std::min(capacity, state.tokens + elapsed_ms * per_ms);
  state.refilled_at = now;
  state.tokens -= static_cast<double>(bytes);
  if (state.tokens >= 0) return std::chrono::milliseconds::zero();
  auto wait = std::chrono::milliseconds(static_cast<long long>(-state.tokens / per_ms + 0.5));
  return std::min(wait, kMaxDelay);
}

int SiteGuard::openAssociationsForTest(const std::string& site) const {
  std::lock_guard lock(mutex_);
  auto it = state_.find(site);
  return it == state_.end() ? 0 : it->second.open;
}

}  // namespace sundial::adapters::dicom
