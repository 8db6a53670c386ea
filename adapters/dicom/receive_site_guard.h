#pragma once
// Per-site checks at the DICOM edge beyond the calling AE title and address (issue 6 item 5):
// a site that must use TLS is refused on the plain port; with mutual TLS its client
// certificate must name it (one of its certificate_names), so another site's certificate,
// or its AE title from another site's machine, is refused; at most max_associations at
// once (more are refused as transient, the sender retries later); and max_bytes_per_minute,
// enforced by answering C-STOREs later (the sender slows down) rather than by refusing.
// Pure and thread-safe: every association thread of both listeners calls it.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/clock.h"

namespace sundial::adapters::dicom {

struct SiteEdgePolicy {
  bool require_tls = false;
  std::vector<std::string> certificate_names;  // empty: any certificate (or none)
  int max_associations = 0;                    // 0: no limit
  std::uint64_t max_bytes_per_minute = 0;      // 0: no limit
};

struct TlsPeer {
  bool over_tls = false;
  bool has_certificate = false;
  std::string common_name;
};

class SiteGuard {
 public:
  // The longest a single C-STORE answer is held back; below DIMSE timeouts, so the sender
  // slows down instead of giving up.
  static constexpr std::chrono::milliseconds kMaxDelay{10'000};

  SiteGuard(std::map<std::string, SiteEdgePolicy> policies, const Clock& clock);

  // Admits an association of `site`, or says why not. `transient` is set when the refusal
  // is a limit (retry later) rather than a security mismatch. An admitted association must
  // be release()d when it ends.
  std::optional<std::string> admit(const std::string& site, const TlsPeer& peer, bool& transient);
  void release(const std::string& site);

  // Records `bytes` received from the site; returns how long to hold the answer back so
  // that the site stays within its bytes per minute (zero when within it).
  std::chrono::milliseconds charge(const std::string& site, std::uint64_t bytes);

  int openAssociationsForTest(const std::string& site) const;

 private:
  struct SiteState {
    int open = 0;
    double tokens = 0;  // bytes that may still arrive without delay (negative: debt)
    SteadyTime refilled_at{};
    bool primed = false;
  };

  const std::map<std::string, SiteEdgePolicy> policies_;
  const Clock& clock_;
  mutable std::mutex mutex_;  // guards state_
  std::map<std::string, SiteState> state_;
};

}  // namespace sundial::adapters::dicom
