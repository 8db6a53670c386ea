#pragma once
// One line of the audit trail: an AuditRecord with its place in the hash chain.
//
// The canonical form is one JSON object on one line, fields always in this order:
//   {"seq":N,"time":"2026-11-30T00:50:00.123Z","action":..,"actor":..,"outcome":..,"site":..,
//    "study_uid":..,"patient_id":..,"accession_number":..,"details":{sorted keys},
//    "prev":"<sha-256 hex of the previous record>","hash":"<sha-256 hex of this record>"}
// `hash` is SHA-256 of the same text without its `,"hash":...` member (the "body"), so a
// record's hash covers its sequence number, time, content and the previous record's hash.
// Strings are UTF-8 (invalid bytes are replaced by U+FFFD before hashing); only `"`, `\`
// and control characters are escaped. Pure code, safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/audit/audit_sink.h"
#include "engine/domain/result.h"

namespace sundial::engine::audit {

// The `prev` of the first record of a trail.
inline const std::string kGenesisHash(64, '0');

struct StoredRecord {
  std::uint64_t seq = 0;
  AuditRecord record;  // record.at holds the time, to the millisecond
  std::string prev;
  std::string hash;
};

// The body text (canonical, without `hash`) of a record.
std::string canonicalBody(const StoredRecord& stored);

// Fills stored.hash from the body and returns the whole line (without the newline).
std::string sealRecord(StoredRecord& stored);

// Parses one line (without its newline). InvalidInput naming what is wrong when it is not a
// record; the caller compares canonicalLine(parsed) with the text to detect edits that keep
// the JSON valid but change its form.
Result<StoredRecord> parseRecordLine(std::string_view line);

// The canonical line of a parsed record, with its stored hash (not recomputed).
std::string canonicalLine(const StoredRecord& stored);

// UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ", and back (InvalidInput when not in that form).
std::string formatUtc(UtcTime t);
Result<UtcTime> parseUtc(std::string_view text);

// The record with every text made valid UTF-8 (invalid bytes become U+FFFD).
AuditRecord withValidUtf8(AuditRecord record);

// JSON string literal of already valid UTF-8 text, quotes included.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace sundial::engine::audit
