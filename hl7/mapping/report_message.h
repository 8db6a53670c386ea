#pragma once
// Building the ORU^R01 that carries a report back to its site (report delivery). Pure: a
// Report and the site's HL7 settings in, the message text (already in the site's character
// set, without MLLP framing) out. Safe from any thread.

#include <string>
#include <string_view>

#include "engine/domain/clock.h"
#include "engine/domain/report.h"
#include "engine/domain/result.h"

namespace sundial::hl7 {

// Who sends, who receives, and in which dialect: filled from the `reports:` section (our
// application and facility) and the site's `hl7:` section (its application and facility,
// its version and character set).
struct ReportMessageSettings {
  std::string sending_application = "SUNDIAL";  // MSH-3
  std::string sending_facility = "SUNDIAL";     // MSH-4
  std::string receiving_application;            // MSH-5
  std::string receiving_facility;               // MSH-6
  std::string version = "2.5.1";                // MSH-12: 2.3 to 2.7.1
  std::string charset;                          // MSH-18: "", "ASCII", "8859/1", "UNICODE UTF-8"
  std::string processing_id = "P";              // MSH-11
};

// The longest MSH-10 every version takes (ST of 20 characters before v2.7).
inline constexpr std::size_t kMaxControlIdLength = 20;

// The ORU^R01 for `report`: MSH, PID, ORC (RE), OBR and one OBX (TX) per line of the report
// text. `control_id` becomes MSH-10 (the ACK's MSA-2 must name it); `now` MSH-7.
//
// Where things go:
//   PID-3   patient_id              PID-5  patient_name, read as family^given^middle^...
//   ORC-2 / OBR-2  placer_order_number
//   ORC-3 / OBR-3  filler_order_number, or the accession number when there is none
//   OBR-4   procedure_code^procedure_text
//   OBR-7, OBR-22  observed_at      OBR-18  accession_number
//   OBR-25  P / F / C               OBR-32  reader_id (principal result interpreter)
//   OBX-5   one line of text each, escaped; OBX-11 the same status as OBR-25
//
// InvalidInput, naming what is wrong, when the report has no text, no accession, placer or
// filler number (the site could not file it), the control id is empty or too long or holds
// a delimiter, or the version or character set is not one we write.
Result<std::string> buildReportMessage(const Report& report, const ReportMessageSettings& settings,
                                       std::string_view control_id, UtcTime now);

// OBR-25 for a status: "P", "F" or "C".
std::string_view resultStatusCode(ReportStatus status);

// An HL7 TS in UTC to the second with its offset: "20261130005500+0000".
std::string formatHl7Time(UtcTime time);

}  // namespace sundial::hl7
