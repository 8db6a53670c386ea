#include "engine/hl7_ingest/message_check.h"

#include <algorithm>
#include <vector>

#include "hl7/message/segments.h"

namespace sundial::engine {
namespace {

using hl7::AckClass;
using hl7::Hl7ErrorCode;

CheckedMessage refuse(AckClass ack_class, std::string segment, std::size_t field,
                      Hl7ErrorCode code, std::string text) {
  CheckedMessage checked;
  checked.refusal = ack_class;
  checked.error = hl7::AckError{hl7::ErrorLocation{std::move(segment), 1, field}, code,
                                std::move(text)};
  return checked;
}

// The segments a message type cannot do without: the inbox processor would have nothing to
// work on, so the sender hears it now rather than an admin later.
std::vector<std::string_view> requiredSegments(std::string_view type) {
  if (type == "ORM^O01" || type == "OMI^O23") return {"PID", "ORC", "OBR"};
  if (type == "ADT^A40") return {"PID", "MRG"};
  if (type.starts_with("ADT^")) return {"PID"};
  if (type == "ORU^R01") return {"OBR"};
  return {};
}

}  // namespace

CheckedMessage checkMessage(const hl7::Message& message, std::string_view raw,
                            const SenderDirectory& senders) {
  const hl7::MessageHeader header = hl7::readMessageHeader(message);
  const std::optional<std::string> site =
      senders.siteFor(header.sending_application, header.sending_facility);
  if (!site) {
    return refuse(AckClass::Reject, "MSH", 4, Hl7ErrorCode::TableValueNotFound,
                  "not for us: sending application/facility (MSH-3/MSH-4) is not configured for "
                  "any site");
  }
  const std::string type = header.message_code + "^" + header.trigger_event;
  if (std::find(kAcceptedMessageTypes.begin(), kAcceptedMessageTypes.end(), type) ==
      kAcceptedMessageTypes.end()) {
    return refuse(AckClass::Reject, "MSH", 9, Hl7ErrorCode::UnsupportedMessageType,
                  "message type " + type.substr(0, 20) +
                      " is not accepted (ORM^O01, OMI^O23, ADT^A01/A04/A08/A40, ORU^R01)");
  }
  if (header.control_id.empty()) {
    return refuse(AckClass::Error, "MSH", 10, Hl7ErrorCode::RequiredFieldMissing,
                  "message control ID (MSH-10) is empty");
  }
  for (std::string_view segment : requiredSegments(type)) {
    if (!message.findSegment(segment)) {
      return refuse(AckClass::Error, std::string(segment), 0, Hl7ErrorCode::SegmentSequenceError,
                    type + " without a " + std::string(segment) + " segment");
    }
  }
  CheckedMessage checked;
  InboxMessage& accepted = checked.accepted.emplace();
  accepted.site = *site;
  // The sender as sent (whole fields, escapes kept): the duplicate key must not depend on
  // how we decode.
  accepted.sender = std::string(message.raw(0, hl7::Position{3, 0})) + "|" +
                    std::string(message.raw(0, hl7::Position{4, 0}));
  accepted.control_id = header.control_id;
  accepted.message_type = type;
  accepted.raw = std::string(raw);
  return checked;
}

}  // namespace sundial::engine
