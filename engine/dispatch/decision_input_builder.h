#pragma once
// Builds what the rules are asked (rules::DecisionInput) from what the engine knows: the
// study's facts from its DICOM headers, its order (when linked) and the readers' presence and
// load from the worklist. Only the patient's age and sex reach the rules. Pure.

#include <optional>
#include <string>
#include <vector>

#include "engine/domain/study_facts.h"
#include "engine/orders/order_lookup.h"
#include "rules/api/input.h"
#include "worklist/reader_presence.h"

namespace sundial::engine {

rules::DecisionInput buildDecisionInput(const StudyFacts& facts,
                                        const std::optional<OrderLink>& order,
                                        const std::vector<worklist::ReaderLoad>& readers,
                                        UtcTime now, std::uint64_t sequence);

// Whole years between a YYYYMMDD birth date and a YYYYMMDD date (the study's, else today's).
// nullopt when either is missing or malformed.
std::optional<int> ageInYears(const std::string& birth_date, const std::string& on_date);

// "67Y", "3M", "12D" as readers are used to (DICOM AS style); empty when unknown.
std::string displayAge(const std::string& birth_date, const std::string& on_date);

// YYYYMMDD of a UTC time (used when the study carries no date).
std::string utcDate(UtcTime t);

}  // namespace sundial::engine
