#pragma once
// The dispatch queue: complete studies waiting for a routing decision, durable in Redis so
// that a restart or another node finds them (no study is ever left without a decision).
// The study tracker's completion puts a study on it; the dispatcher takes studies whose
// time has come, with a lease: a dispatcher that dies leaves its studies to be taken again
// when the lease ends. One instance belongs to one thread.

#include <chrono>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::engine {

class DispatchQueue {
 public:
  virtual ~DispatchQueue() = default;

  // Up to `max` studies due at `now`, each leased until now + lease (taken again after that
  // unless done() or postpone() is called first).
  virtual Result<std::vector<std::string>> take(UtcTime now, std::chrono::milliseconds lease,
                                                int max) = 0;
  // Not yet: due again at `until` (waiting for its order, say).
  virtual Result<void> postpone(const std::string& study_uid, UtcTime until) = 0;
  // Decided: off the queue, and marked so a re-completion (late instances) does not queue it
  // again.
  virtual Result<void> done(const std::string& study_uid) = 0;
  // Put (back) on the queue, due at `at`, even when dispatched before (escalation,
  // re-dispatch by hand).
  virtual Result<void> requeue(const std::string& study_uid, UtcTime at) = 0;
  virtual Result<long long> depth() = 0;

  // Readers a re-dispatch must not choose again for this study (the reader it sat with
  // unclaimed, who went offline or off shift). Kept for a week.
  virtual Result<void> exclude(const std::string& study_uid, const std::string& reader) = 0;
  virtual Result<std::vector<std::string>> exclusions(const std::string& study_uid) = 0;
};

}  // namespace sundial::engine
