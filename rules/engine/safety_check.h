#pragma once
// The hard constraints on who may read a study, checked in C++ whatever a rule says: the reader
// holds a licence for the site's state and a credential at the site, reads the study's modality,
// is on shift (in the reader's time zone) and online. Pure functions over the roster and input.

#include <optional>
#include <string_view>

#include "rules/api/decision.h"
#include "rules/api/input.h"
#include "rules/api/roster.h"

namespace sundial::rules {

// The first constraint `reader` fails for this study at input.now, with a detail for people;
// nullopt when the reader may read it.
std::optional<Rejection> checkReader(const ReaderProfile& reader, const SiteProfile& site,
                                     const DecisionInput& input);

// The constraints that hold whatever the hour: licence for the site's state, credential at the
// site, reads `modality`. The first one `reader` fails; nullopt when all hold. Shared with the
// worklist's claim check (a reader claiming from a pull pool), so that claims and dispatch
// never disagree on who may legally read a study.
std::optional<Constraint> firstFailedStandingConstraint(const ReaderProfile& reader,
                                                        const SiteProfile& site,
                                                        std::string_view modality);

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
