#pragma once
// Reads what a rule's route(f) returned into a Decision, checking its shape: a table with known
// keys and the right types, exactly one of a known reader or a known pool, known destinations,
// a known priority, a positive due time. Anything else is "nonsense" and fails with
// RuleFailed naming the rule file and the key. Safety (licence, shift ...) is checked after.

#include <string_view>

#include "rules/api/decision.h"
#include "rules/api/input.h"
#include "rules/api/roster.h"
#include "rules/sandbox/value.h"
#include "engine/domain/result.h"

namespace sundial::rules {

[[nodiscard]] Result<Decision> readDecision(const Value& returned, std::string_view rule_file,
                                            const Roster& roster, const DecisionInput& input);

// "STAT", "URGENT", "ROUTINE" (any case).
bool parsePriority(std::string_view text, OrderPriority& out);

}  // namespace sundial::rules
