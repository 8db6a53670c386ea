#pragma once
// Building the acknowledgement for a received message: an MSH that mirrors the received one
// (sender and receiver swapped, same encoding characters, version, processing id and
// MSH-18), an MSA naming the received message control ID, and for errors an ERR segment
// naming the field and a table 0357 code. Pure; values in, text out; any thread.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "hl7/ack/ack_codes.h"
#include "hl7/message/delimiters.h"
#include "hl7/message/message.h"

namespace sundial::hl7 {

// What an ACK needs from the received MSH. Fields are raw (as sent, escapes kept), which is
// right because the ACK uses the same delimiters.
struct AckHeaderSource {
  Delimiters delimiters;
  std::string sending_application;    // MSH-3, whole field
  std::string sending_facility;       // MSH-4
  std::string receiving_application;  // MSH-5
  std::string receiving_facility;     // MSH-6
  std::string trigger_event;          // MSH-9.2
  std::string control_id;             // MSH-10
  std::string processing_id;          // MSH-11, whole field
  std::string version;                // MSH-12.1
  std::string accept_ack_type;        // MSH-15
  std::string application_ack_type;   // MSH-16
  std::string charset;                // MSH-18, whole field
};

AckHeaderSource ackHeaderSource(const Message& received);

// For text that did not parse: the MSH found at the start of the text (or of any line), read
// with the delimiters it declares. nullopt when there is no MSH with a message control ID,
// so there is nothing a NAK could refer to.
std::optional<AckHeaderSource> scanAckHeaderSource(std::string_view text);

AckMode ackModeOf(const AckHeaderSource& received);

// Where an error sits: ERR-2 in v2.5+ ("PID^1^3"), ERR-1 before.
struct ErrorLocation {
  std::string segment_id;            // "PID"; empty: the message as a whole
  std::size_t segment_sequence = 1;  // which PID (1 for the first)
  std::size_t field = 0;             // 0: the segment as a whole
};

struct AckError {
  ErrorLocation location;
  Hl7ErrorCode code = Hl7ErrorCode::ApplicationInternalError;
  std::string text;  // for people at the site: MSA-3 and ERR-8 (or ERR-1 before v2.5)
};

struct AckRequest {
  AckClass ack_class = AckClass::Accept;
  std::optional<AckError> error;  // written for Error and Reject
  std::string control_id;         // the ACK's own MSH-10
  std::string date_time;          // the ACK's MSH-7 (YYYYMMDDHHMMSS)
};

// The ACK text (segments ended by CR, no MLLP framing), or nullopt when enhanced mode's
// MSH-15 says no accept acknowledgement is wanted for this outcome (NE; ER on success; SU on
// error). An empty or unknown MSH-15 in enhanced mode is taken as AL.
std::optional<std::string> buildAck(const AckHeaderSource& received, const AckRequest& request);

// The AR (CR in enhanced mode) for text that did not parse, when it names a control ID;
// ERR says why (`code`, `text`). nullopt: no control ID, close with a logged reason instead.
std::optional<std::string> buildRejectForUnparsed(std::string_view text, Hl7ErrorCode code,
                                                  std::string_view reason,
                                                  std::string_view ack_control_id,
                                                  std::string_view date_time);

}  // namespace sundial::hl7
