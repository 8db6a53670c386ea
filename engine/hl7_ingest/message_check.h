#pragma once
// MessageCheck: what the ingest service decides about a message that parsed, before anything
// is stored. Pure (values in, a decision out); any thread.
//
//   sender (MSH-3/MSH-4) not configured for any site    -> AR, ERR MSH-4 103 ("not for us")
//   MSH-9 not one of kAcceptedMessageTypes              -> AR, ERR MSH-9 200 (HL7's rule: a
//                                                          message type the receiver does
//                                                          not take is rejected, not erred)
//   no control id (MSH-10): duplicates undetectable     -> AE, ERR MSH-10 101
//   a segment the type needs is missing (PID, ORC, OBR, MRG) -> AE, ERR <segment> 100
//   otherwise                                           -> accept: store, then AA/CA

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "engine/hl7_ingest/sender_directory.h"
#include "engine/store/hl7_inbox.h"
#include "hl7/ack/ack_builder.h"
#include "hl7/message/message.h"

namespace sundial::engine {

// The message types Sundial takes in, as "MSH-9.1^MSH-9.2".
inline constexpr std::array<std::string_view, 7> kAcceptedMessageTypes = {
    "ORM^O01", "OMI^O23", "ADT^A01", "ADT^A04", "ADT^A08", "ADT^A40", "ORU^R01"};

struct CheckedMessage {
  // Set when the message is to be stored: every field but id and received_at filled in.
  std::optional<InboxMessage> accepted;
  // Otherwise what the sender is told (AE or AR, with the ERR segment).
  hl7::AckClass refusal = hl7::AckClass::Reject;
  hl7::AckError error;
};

CheckedMessage checkMessage(const hl7::Message& message, std::string_view raw,
                            const SenderDirectory& senders);

}  // namespace sundial::engine
