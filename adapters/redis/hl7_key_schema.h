#pragma once
// Hl7KeySchema: the Redis keys of the HL7 inbox (area `hl7:`, owned by HL7 ingest; see
// docs/internals.md). Immutable; safe from any thread.
//
//   <prefix>:v1:hl7:inbox                           stream  one entry per stored message:
//                                                           site, sender, control_id, type,
//                                                           received_ms, raw; consumer group
//                                                           kInboxGroup; finished entries
//                                                           are deleted
//   <prefix>:v1:hl7:seen:<site>:<sender>:<control>  string  the inbox id the message got;
//                                                           expires (duplicate window)
//   <prefix>:v1:hl7:rejected                        stream  messages the processor could
//                                                           not process: the inbox fields,
//                                                           inbox_id, reason, rejected_ms
//
// Sender ("MSH-3|MSH-4") and control id come from the sender and may hold any byte: they
// are percent-encoded (every byte but letters, digits, '_', '-' and '.'), so ':' never
// appears inside a part and two different triples never share a key.

#include <string>
#include <string_view>

namespace sundial::adapters::redis {

class Hl7KeySchema {
 public:
  static constexpr std::string_view kInboxGroup = "inbox";

  explicit Hl7KeySchema(std::string_view prefix);

  std::string inbox() const;
  std::string seen(std::string_view site, std::string_view sender,
                   std::string_view control_id) const;
  std::string rejected() const;

 private:
  std::string base_;  // "<prefix>:v1:hl7:"
};

// Letters, digits, '_', '-', '.' as they are; every other byte as %XX.
std::string percentEncodeKeyPart(std::string_view part);

}  // namespace sundial::adapters::redis
