#pragma once
// The hard constraints on who may read a study, checked in C++ whatever a rule says: the reader
// holds a licence for the site's state and a credential at the site, reads the study's modality,
// is on shift (in the reader's time zone) and online. Pure functions over the roster and input.

#include <optional>

#include "rules/api/decision.h"
#include "rules/api/input.h"
#include "rules/api/roster.h"

namespace sundial::rules {

// The first constraint `reader` fails for this study at input.now, with a detail for people;
// nullopt when the reader may read it.
std::optional<Rejection> checkReader(const ReaderProfile& reader, const SiteProfile& site,
                                     const DecisionInput& input);

// The first constraint failed, without the words: what eligibility checks need (they run for
// every candidate of every decision, so they allocate nothing).
std::optional<Constraint> firstFailedConstraint(const ReaderProfile& reader,
                                                const SiteProfile& site,
                                                const DecisionInput& input);

// The Rejection (with its detail for people) for a constraint `reader` is known to fail.
Rejection describeRejection(const ReaderProfile& reader, const SiteProfile& site,
                            const DecisionInput& input, Constraint failed);

inline bool isEligible(const ReaderProfile& reader, const SiteProfile& site,
                       const DecisionInput& input) {
  return !firstFailedConstraint(reader, site, input).has_value();
}

}  // namespace sundial::rules
