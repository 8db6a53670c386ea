#pragma once
// Picks the reader a push pool's task goes to, among the readers the rules found eligible:
// the least loaded in RVUs relative to capacity, then in open tasks, then in turn (the
// decision's sequence), so equal readers share the work. Pure.

#include <optional>
#include <string>
#include <vector>

#include "rules/api/input.h"
#include "rules/api/roster.h"

namespace sundial::engine {

// `eligible` are reader ids that passed every safety check. nullopt when it is empty.
std::optional<std::string> pickLeastLoaded(const std::vector<std::string>& eligible,
                                           const rules::Roster& roster,
                                           const rules::DecisionInput& input);

}  // namespace sundial::engine
