#include "engine/audit/stored_record.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <ctime>

#include "engine/audit/digest.h"

namespace sundial::engine::audit {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at text[i], or 0 when it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t validSequenceLength(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) { length = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { length = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { length = 4; cp = c & 0x07; }
  else return 0;
  if (i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return length;
}

std::string validUtf8(std::string text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = validSequenceLength(text, i);
    if (length == 0) {
      text.replace(i, 1, kReplacement);
      i += kReplacement.size();
    } else {
      i += length;
    }
  }
  return text;
}

void appendField(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  appendJsonString(out, value);
}

Result<std::string> stringField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return makeError(ErrorCode::InvalidInput, std::string("no \"") + name + "\"");
  if (!it->is_string()) {
    return makeError(ErrorCode::InvalidInput, std::string("\"") + name + "\" is not a string");
  }
  return it->get<std::string>();
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kDigits[c >> 4];
          out += kDigits[c & 0x0f];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

std::string formatUtc(UtcTime t) {
  long long ms = toEpochMs(t);
  long long seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int millis = static_cast<int>(ms - seconds * 1000);
  std::time_t tt = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buffer;
}

Result<UtcTime> parseUtc(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  char z = 0;
  std::string copy(text);
  int n = std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms,
                      &z);
  if (n != 8 || z != 'Z' || copy.size() != 24 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
      mi > 59 || s > 60) {
    return makeError(ErrorCode::InvalidInput, "not a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ", copy);
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  long long seconds = static_cast<long long>(timegm(&tm));
  return fromEpochMs(seconds * 1000 + ms);
}

AuditRecord withValidUtf8(AuditRecord record) {
  record.action = validUtf8(std::move(record.action));
  record.actor = validUtf8(std::move(record.actor));
  record.outcome = validUtf8(std::move(record.outcome));
  record.site = validUtf8(std::move(record.site));
  record.study_uid = validUtf8(std::move(record.study_uid));
  record.patient_id = validUtf8(std::move(record.patient_id));
  record.accession_number = validUtf8(std::move(record.accession_number));
  std::map<std::string, std::string> details;
  for (auto& [key, value] : record.details) details[validUtf8(key)] = validUtf8(value);
  record.details = std::move(details);
  return record;
}

std::string canonicalBody(const StoredRecord& stored) {
  const AuditRecord& r = stored.record;
  std::string out;
  out.reserve(256 + r.details.size() * 32);
  out += "{\"seq\":";
  out += std::to_string(stored.seq);
  appendField(out, "time", formatUtc(r.at));
  appendField(out, "action", r.action);
  appendField(out, "actor", r.actor);
  appendField(out, "outcome", r.outcome);
  appendField(out, "site", r.site);
  appendField(out, "study_uid", r.study_uid);
  appendField(out, "patient_id", r.patient_id);
  appendField(out, "accession_number", r.accession_number);
  out += ",\"details\":{";
  bool first = true;
  for (const auto& [key, value] : r.details) {  // std::map: sorted by key
    if (!first) out += ',';
    first = false;
    appendJsonString(out, key);
    out += ':';
    appendJsonString(out, value);
  }
  out += '}';
  appendField(out, "prev", stored.prev);
  out += '}';
  return out;
}

std::string sealRecord(StoredRecord& stored) {
  std::string line = canonicalBody(stored);
  stored.hash = sha256Hex(line);
  line.pop_back();  // the body's closing brace: the hash goes inside the object
  appendField(line, "hash", stored.hash);
  line += '}';
  return line;
}

std::string canonicalLine(const StoredRecord& stored) {
  std::string line = canonicalBody(stored);
  line.pop_back();
  appendField(line, "hash", stored.hash);
  line += '}';
  return line;
}

Result<StoredRecord> parseRecordLine(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return makeError(ErrorCode::InvalidInput, "not valid JSON");
  if (!j.is_object()) return makeError(ErrorCode::InvalidInput, "not a JSON object");
  StoredRecord stored;
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned()) {
    return makeError(ErrorCode::InvalidInput, "no unsigned \"seq\"");
  }
  stored.seq = seq->get<std::uint64_t>();
  auto time = stringField(j, "time");
  if (!time) return time.error();
  auto at = parseUtc(time.value());
  if (!at) return at.error();
  stored.record.at = at.value();
  struct Text { const char* name; std::string* out; };
  Text texts[] = {{"action", &stored.record.action},
                  {"actor", &stored.record.actor},
                  {"outcome", &stored.record.outcome},
                  {"site", &stored.record.site},
                  {"study_uid", &stored.record.study_uid},
                  {"patient_id", &stored.record.patient_id},
                  {"accession_number", &stored.record.accession_number},
                  {"prev", &stored.prev},
                  {"hash", &stored.hash}};
  for (const Text& t : texts) {
    auto value = stringField(j, t.name);
    if (!value) return value.error();
    *t.out = std::move(value.value());
  }
  auto details = j.find("details");
  if (details == j.end() || !details->is_object()) {
    return makeError(ErrorCode::InvalidInput, "no \"details\" object");
  }
  for (const auto& [key, value] : details->items()) {
    if (!value.is_string()) {
      return makeError(ErrorCode::InvalidInput, "details \"" + key + "\" is not a string");
    }
    stored.record.details[key] = value.get<std::string>();
  }
  return stored;
}

}  // namespace sundial::engine::audit
