#pragma once
// ClaimPolicy: whether a reader may claim a read task (issue 5; push and pull pools, issue 4).
// A task pushed (assigned) to the reader is theirs to claim. An unassigned task may be claimed
// only from a pull pool the reader belongs to, and only by a reader who may legally read it:
// licence for the site's state, credential at the site, reads the modality — the dispatcher's
// own standing constraints (rules/engine/safety_check.h), so that claims and dispatch never
// disagree. Shift and presence are what the dispatcher weighs when it pushes work; a reader
// claiming is at the screen. Whether the task's state allows a claim at all (held by another,
// assigned to another, reported) is the life cycle's answer (409), not this policy's.
// Immutable after construction; any thread.

#include <memory>
#include <optional>
#include <string>

#include "rules/api/roster.h"
#include "worklist/task.h"

namespace sundial::app {

struct ClaimRefusal {
  std::string code;    // why, for programs: push_pool, not_in_pool, licence, credential, ...
  std::string reason;  // why, for people (names the pool, the state or the site; no patient)
};

class ClaimPolicy {
 public:
  // An empty roster (no readers configured, as in a first demo) has no membership to check:
  // every claim the life cycle allows is allowed. A null roster (it could not be built) fails
  // closed: no claims from pools.
  explicit ClaimPolicy(std::shared_ptr<const rules::Roster> roster) : roster_(std::move(roster)) {}

  // nullopt: `reader` may claim `task` (as far as pools and eligibility go).
  std::optional<ClaimRefusal> check(const worklist::Task& task, const std::string& reader) const;

  // The task is open to claims and `reader` may claim it: what the reader's claimable list
  // shows (tasks already in the reader's hands are listed for that reason, not this one).
  bool mayClaimFromPool(const worklist::Task& task, const std::string& reader) const;

 private:
  std::shared_ptr<const rules::Roster> roster_;
};

}  // namespace sundial::app
