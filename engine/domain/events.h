#pragma once
// Domain events carried on the bus: facts in the past tense. The bus is a notification,
// not the record: whoever publishes has already written the fact to the spool or Redis.

#include <string>
#include <variant>

#include "engine/domain/hl7_events.h"
#include "engine/domain/instance.h"
#include "engine/domain/result.h"

namespace sundial {

struct InstanceSpooled {
  SpooledInstance instance;
};

struct StudyCompleted {
  std::string study_uid;
  std::string site;
  UtcTime completed_at{};
};

// An HL7 message was stored in the HL7 inbox (engine/store/hl7_inbox.h) and acknowledged: the
// inbox processor takes it from there. Only a wake-up: the inbox is the record, and a
// processor that missed the event still finds the message there.
struct Hl7MessageStored {
  std::string inbox_id;      // InboxMessage::id
  std::string site;
  std::string message_type;  // "ORM^O01"
};

using Event = std::variant<InstanceSpooled, StudyCompleted, OrderReceived, PatientUpdated,
                           PatientsMerged, ReportReceived, Hl7MessageStored>;

// The event's name as it appears in logs and on the wire.
std::string_view eventName(const Event& event);

// Wire form for the bus: a name, then fields separated by the ASCII unit separator.
// Values never contain it (UIDs, AE titles, paths and site names are checked on the way in).
std::string encodeEvent(const Event& event);
Result<Event> decodeEvent(std::string_view wire);

}  // namespace sundial
