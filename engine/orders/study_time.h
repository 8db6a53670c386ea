#pragma once
// The time a study was made, to compare with its order's time: DICOM study date and time
// (0008,0020)/(0008,0030) carry no offset, so the wall-clock value is taken as if UTC — the
// convention hl7/mapping uses for order times sent without an offset, so both compare in
// the site's local time. Pure; any thread.

#include <optional>
#include <string_view>

#include "engine/domain/clock.h"
#include "engine/domain/study_facts.h"

namespace sundial::engine {

// DA "YYYYMMDD" and TM "HH[MM[SS[.ffffff]]]" (or the old "HH:MM:SS"); nullopt when the date
// is not a date or the time not a time.
std::optional<UtcTime> parseDicomDateTime(std::string_view date, std::string_view time);

// The study's date/time, else when its first instance arrived.
UtcTime studyTimeOf(const StudyFacts& facts);

}  // namespace sundial::engine
