#include "hl7/mapping/report_message.h"

#include <ctime>

#include "hl7/message/writer.h"

namespace sundial::hl7 {
namespace {

constexpr std::string_view kVersions[] = {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1"};

// OBX-3 of the report text: LOINC "Radiology Study observation (narrative)".
constexpr std::string_view kTextCode = "18782-3";
constexpr std::string_view kTextName = "Radiology Study observation (narrative)";
constexpr std::string_view kLoinc = "LN";
constexpr std::string_view kTextValueType = "TX";
constexpr std::string_view kOrderControlResults = "RE";  // ORC-1: observations to follow

Result<void> checkInput(const Report& report, const ReportMessageSettings& settings,
                        std::string_view control_id) {
  if (report.text.empty()) return makeError(ErrorCode::InvalidInput, "the report has no text");
  if (report.accession_number.empty() && report.placer_order_number.empty() &&
      report.filler_order_number.empty()) {
    return makeError(ErrorCode::InvalidInput,
                     "the report has no accession, placer or filler order number: the site "
                     "could not file it");
  }
  if (control_id.empty() || control_id.size() > kMaxControlIdLength) {
    return makeError(ErrorCode::InvalidInput, "the message control id must be 1-20 characters");
  }
  for (const char c : control_id) {
    if (kDefaultDelimiters.isSpecial(c) || static_cast<unsigned char>(c) < 0x20) {
      return makeError(ErrorCode::InvalidInput,
                       "the message control id holds a delimiter or control character");
    }
  }
  bool known_version = false;
  for (const std::string_view v : kVersions) known_version = known_version || settings.version == v;
  if (!known_version) {
    return makeError(ErrorCode::InvalidInput, "HL7 version '" + settings.version +
                                                  "' is not one we write (2.3 to 2.7.1)");
  }
  if (charsetFromName(settings.charset) == Charset::Other) {
    return makeError(ErrorCode::InvalidInput,
                     "character set '" + settings.charset +
                         "' is not one we write (ASCII, 8859/1, UNICODE UTF-8)");
  }
  return okResult();
}

// The report text as lines: LF, CRLF and a lone CR all end a line; a final line break does
// not make an empty last line.
std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

void setIfAny(Message& message, std::size_t segment, const Position& position,
              std::string_view text) {
  if (!text.empty()) message.setValue(segment, position, text);
}

void addPatient(Message& message, const Report& report) {
  const std::size_t pid = message.appendSegment("PID");
  message.setValue(pid, {.field = 1}, "1");
  setIfAny(message, pid, {.field = 3}, report.patient_id);
  // The name as the engine keeps it (DICOM PN and HL7 XPN agree: family^given^middle^...):
  // each part goes to its own component, so a '^' is not escaped as text.
  std::string_view name = report.patient_name;
  for (std::size_t component = 1; !name.empty(); ++component) {
    const std::size_t caret = name.find('^');
    setIfAny(message, pid, {.field = 5, .component = component}, name.substr(0, caret));
    name = caret == std::string_view::npos ? std::string_view{} : name.substr(caret + 1);
  }
}

}  // namespace

std::string_view resultStatusCode(ReportStatus status) {
  switch (status) {
    case ReportStatus::Preliminary: return "P";
    case ReportStatus::Final: return "F";
    case ReportStatus::Corrected: return "C";
  }
  return "F";
}

std::string formatHl7Time(UtcTime time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%S+0000", &utc);
  return text;
}

Result<std::string> buildReportMessage(const Report& report, const ReportMessageSettings& settings,
                                       std::string_view control_id, UtcTime now) {
  if (auto ok = checkInput(report, settings, control_id); !ok) return ok.error();

  MessageHeader header;
  header.sending_application = settings.sending_application;
  header.sending_facility = settings.sending_facility;
  header.receiving_application = settings.receiving_application;
  header.receiving_facility = settings.receiving_facility;
  header.date_time = formatHl7Time(now);
  header.message_code = "ORU";
  header.trigger_event = "R01";
  // MSH-9.3 (message structure) exists from v2.3.1 on; a v2.3 receiver may reject it.
  if (settings.version != "2.3") header.message_structure = "ORU_R01";
  header.control_id = std::string(control_id);
  header.processing_id = settings.processing_id;
  header.version = settings.version;
  header.charset = settings.charset;
  // MSH-15/16 stay empty: original acknowledgement mode, so the site answers AA/AE/AR.
  Message message = makeMessage(header);

  addPatient(message, report);

  const std::string filler =
      report.filler_order_number.empty() ? report.accession_number : report.filler_order_number;
  const std::string_view status = resultStatusCode(report.status);
  const std::string observed = report.observed_at == UtcTime{} ? std::string{}
                                                               : formatHl7Time(report.observed_at);

  const std::size_t orc = message.appendSegment("ORC");
  message.setValue(orc, {.field = 1}, kOrderControlResults);
  setIfAny(message, orc, {.field = 2}, report.placer_order_number);
  setIfAny(message, orc, {.field = 3}, filler);
  message.setValue(orc, {.field = 5}, report.status == ReportStatus::Preliminary ? "IP" : "CM");

  const std::size_t obr = message.appendSegment("OBR");
  message.setValue(obr, {.field = 1}, "1");
  setIfAny(message, obr, {.field = 2}, report.placer_order_number);
  setIfAny(message, obr, {.field = 3}, filler);
  setIfAny(message, obr, {.field = 4, .component = 1}, report.procedure_code);
  setIfAny(message, obr, {.field = 4, .component = 2}, report.procedure_text);
  setIfAny(message, obr, {.field = 7}, observed);
  setIfAny(message, obr, {.field = 18}, report.accession_number);
  setIfAny(message, obr, {.field = 22}, observed);
  message.setValue(obr, {.field = 25}, status);
  // OBR-32 is NDL: its first component is a CNN whose first subcomponent is the id.
  setIfAny(message, obr, {.field = 32, .component = 1, .subcomponent = 1}, report.reader_id);

  std::size_t set_id = 0;
  for (const std::string_view line : splitLines(report.text)) {
    const std::size_t obx = message.appendSegment("OBX");
    message.setValue(obx, {.field = 1}, std::to_string(++set_id));
    message.setValue(obx, {.field = 2}, kTextValueType);
    message.setValue(obx, {.field = 3, .component = 1}, kTextCode);
    message.setValue(obx, {.field = 3, .component = 2}, kTextName);
    message.setValue(obx, {.field = 3, .component = 3}, kLoinc);
    setIfAny(message, obx, {.field = 5}, line);
    message.setValue(obx, {.field = 11}, status);
    setIfAny(message, obx, {.field = 14}, observed);
  }
  return message.toString();
}

}  // namespace sundial::hl7
