#pragma once
// CandidateChecks: the hard-constraint checks of one decision, each reader checked at most once.
// sundial.eligible() (called by several rule files of one decision, with different options), the
// check of the reader a rule chose and the record of rejected candidates all ask the same
// question about the same readers with the same inputs; before this each asked it again.
//
// Holds references to the roster, site and input: it lives no longer than one decide() call.
// Thread: the deciding thread only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "rules/api/decision.h"
#include "rules/api/input.h"
#include "rules/api/roster.h"

namespace sundial::rules {

class CandidateChecks {
 public:
  CandidateChecks(const Roster& roster, const SiteProfile& site, const DecisionInput& input);

  // The first constraint roster.readers[index] fails for this study, or nullopt when eligible.
  std::optional<Constraint> firstFailed(std::size_t index);
  bool isEligible(std::size_t index) { return !firstFailed(index).has_value(); }
  // The same answer with the words a record needs (built only for readers that are recorded).
  std::optional<Rejection> rejection(std::size_t index);

  const Roster& roster() const { return roster_; }
  const SiteProfile& site() const { return site_; }
  const DecisionInput& input() const { return input_; }

 private:
  const Roster& roster_;
  const SiteProfile& site_;
  const DecisionInput& input_;
  // Per reader index: kUnchecked, kEligible, or kFailedBase + the Constraint failed.
  std::vector<std::uint8_t> results_;
};

}  // namespace sundial::rules
