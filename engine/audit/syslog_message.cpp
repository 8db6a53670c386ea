#include "engine/audit/syslog_message.h"

namespace sundial::engine::audit {
namespace {

// RFC 5424 header fields are PRINTUSASCII (33-126) with a length limit; "-" when empty.
std::string headerField(std::string_view value, std::size_t max_length) {
  std::string out;
  for (char c : value) {
    if (out.size() == max_length) break;
    out += (c >= 33 && c <= 126) ? c : '_';
  }
  return out.empty() ? "-" : out;
}

// PARAM-VALUE escapes '"', '\' and ']' (RFC 5424 section 6.3.3).
std::string paramValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string syslogMessage(const StoredRecord& stored, std::string_view xml,
                          const SyslogHeader& header) {
  int severity = stored.record.outcome == "success" ? kSyslogSeverityNotice : kSyslogSeverityWarning;
  std::string out = "<" + std::to_string(kSyslogFacilityAuthorization * 8 + severity) + ">1 ";
  out += formatUtc(stored.record.at);
  out += ' ' + headerField(header.hostname, 255);
  out += ' ' + headerField(header.app_name, 48);
  out += ' ' + headerField(header.proc_id, 128);
  out += ' ';
  out += kAtnaMessageId;
  out += " [sundial@32473 seq=\"" + std::to_string(stored.seq) + "\" hash=\"" +
         paramValue(stored.hash) + "\"] ";
  out += "\xEF\xBB\xBF";  // BOM: the MSG is UTF-8
  out += xml;
  return out;
}

std::string octetCountedFrame(std::string_view message) {
  std::string out = std::to_string(message.size());
  out += ' ';
  out += message;
  return out;
}

}  // namespace sundial::engine::audit
