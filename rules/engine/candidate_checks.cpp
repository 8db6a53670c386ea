#include "rules/engine/candidate_checks.h"

#include <cassert>

#include "rules/engine/safety_check.h"

namespace sundial::rules {
namespace {

constexpr std::uint8_t kUnchecked = 0;
constexpr std::uint8_t kEligible = 1;
constexpr std::uint8_t kFailedBase = 2;

}  // namespace

CandidateChecks::CandidateChecks(const Roster& roster, const SiteProfile& site,
                                 const DecisionInput& input)
    : roster_(roster), site_(site), input_(input), results_(roster.readers.size(), kUnchecked) {}

std::optional<Constraint> CandidateChecks::firstFailed(std::size_t index) {
  // Indices come from the roster's own indices (readersAt, membersOf, findReader).
  assert(index < results_.size());
  std::uint8_t& result = results_[index];
  if (result == kUnchecked) {
    const auto failed = firstFailedConstraint(roster_.readers[index], site_, input_);
    result = failed ? static_cast<std::uint8_t>(kFailedBase + static_cast<std::uint8_t>(*failed))
                    : kEligible;
  }
  if (result == kEligible) return std::nullopt;
  return static_cast<Constraint>(result - kFailedBase);
}

std::optional<Rejection> CandidateChecks::rejection(std::size_t index) {
  const auto failed = firstFailed(index);
  if (!failed) return std::nullopt;
  return describeRejection(roster_.readers[index], site_, input_, *failed);
}

}  // namespace sundial::rules
