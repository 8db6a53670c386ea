#pragma once
// The JSON body of POST /api/v1/reports, read into a report before anything is queued.
// Pure: no I/O, any thread (the HTTP fuzz target runs it on arbitrary bytes).

#include <string>

#include "engine/domain/report.h"
#include "engine/domain/result.h"

namespace sundial::app {

// A report from the JSON body of POST /api/v1/reports, with its task id ("" when none).
// InvalidInput naming the key that is missing, unknown or of the wrong type.
struct QueuedReportRequest {
  Report report;
  std::string task_id;
};
Result<QueuedReportRequest> parseReportRequest(const std::string& body);

}  // namespace sundial::app
