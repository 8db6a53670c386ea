#pragma once
// ORU^R01 in (a reader's reporting system sending its report) to a Report. Pure; any thread.
// Errors are InvalidInput naming the segment and field. (ORU out is report_message.h.)

#include <string_view>

#include "engine/domain/clock.h"
#include "engine/domain/report.h"
#include "engine/domain/result.h"
#include "hl7/message/message.h"

namespace sundial::hl7::mapping {

// OBR-25 to a report status: P preliminary, F final, C corrected; anything else is refused.
Result<ReportStatus> reportStatusFor(std::string_view result_status);

// The report of the first OBR: its status (OBR-25), text (OBX-5 of every TX/FT/ST result
// after it, each repetition a line), interpreter (OBR-32), order numbers and accession.
Result<Report> mapReportMessage(const Message& message, std::string_view site,
                                UtcTime received_at);

}  // namespace sundial::hl7::mapping
