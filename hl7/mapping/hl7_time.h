#pragma once
// HL7 v2 date/time (TS/DTM) to UtcTime. Pure; any thread.

#include <string_view>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::hl7::mapping {

// "YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]". With an offset the instant is converted to
// UTC; without one the wall-clock time is taken as UTC, the same convention as DICOM study
// date/time (engine/orders/study_time.h), so the two compare in the site's local time.
// InvalidInput naming `field` (e.g. "ORC-9") when the text is not such a value.
Result<UtcTime> parseHl7Time(std::string_view text, std::string_view field);

}  // namespace sundial::hl7::mapping
