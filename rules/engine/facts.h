#pragma once
// The facts table a rule's route(f) receives, built from a DecisionInput and its site. Keys are
// documented in docs/rules.md; readers are not in it (500 readers would cost more to copy than
// the rule costs to run): rules reach them through the sundial.* helpers.

#include "rules/api/input.h"
#include "rules/api/roster.h"
#include "rules/sandbox/value.h"

namespace sundial::rules {

Value buildFacts(const DecisionInput& input, const SiteProfile& site);

// The table sundial.local_time() and f.site.time give: {year, month, day, hour, minute,
// weekday (0 = Sunday), day_name ("sun".."sat"), minute_of_day, utc_offset_minutes, text}.
Value localTimeValue(const LocalTime& local);

}  // namespace sundial::rules
