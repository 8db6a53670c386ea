#pragma once
// HL7 acknowledgement vocabulary, defined once (STYLE.md §2): MSA-1 codes in original and
// enhanced mode, HL7 table 0357 error codes, and the one mapping table from a Sundial
// ErrorCode to what the sender is told (STYLE.md §4). Pure; safe from any thread.

#include <optional>
#include <string_view>

#include "engine/domain/result.h"

namespace sundial::hl7 {

// MSA-1, as written on the wire.
inline constexpr std::string_view kApplicationAccept = "AA";
inline constexpr std::string_view kApplicationError = "AE";
inline constexpr std::string_view kApplicationReject = "AR";
inline constexpr std::string_view kCommitAccept = "CA";
inline constexpr std::string_view kCommitError = "CE";
inline constexpr std::string_view kCommitReject = "CR";

enum class AckCode {
  ApplicationAccept,  // AA
  ApplicationError,   // AE
  ApplicationReject,  // AR
  CommitAccept,       // CA
  CommitError,        // CE
  CommitReject,       // CR
};

std::string_view ackCodeName(AckCode code);
std::optional<AckCode> ackCodeFromName(std::string_view name);
// AA and CA: the receiver took the message.
bool isAcceptCode(AckCode code);

// What the receiver says, independent of the acknowledgement mode.
enum class AckClass { Accept, Error, Reject };

// Original mode: MSH-15 and MSH-16 both empty (AA/AE/AR). Enhanced mode: either is set; the
// MLLP receiver then sends an accept (commit) acknowledgement, CA/CE/CR.
enum class AckMode { Original, Enhanced };

AckCode ackCodeFor(AckClass ack_class, AckMode mode);

// MSH-15 / MSH-16 values (HL7 table 0155).
inline constexpr std::string_view kAckAlways = "AL";
inline constexpr std::string_view kAckNever = "NE";
inline constexpr std::string_view kAckOnErrorOnly = "ER";
inline constexpr std::string_view kAckOnSuccessOnly = "SU";

// HL7 table 0357, the codes Sundial sends in ERR.
enum class Hl7ErrorCode {
  SegmentSequenceError = 100,
  RequiredFieldMissing = 101,
  DataTypeError = 102,
  TableValueNotFound = 103,
  UnsupportedMessageType = 200,
  ApplicationInternalError = 207,
};

inline constexpr std::string_view kHl7ErrorCodeTable = "HL70357";

int hl7ErrorNumber(Hl7ErrorCode code);
// The table's text for the code ("Required field missing").
std::string_view hl7ErrorText(Hl7ErrorCode code);

// What a sender is told about a message that parsed but was not taken as it is.
enum class AckDisposition {
  Acknowledge,      // send an ACK of `ack_class`
  CloseWithoutAck,  // send nothing and close: the sender must retry (never AA unstored)
};

struct AckForError {
  AckDisposition disposition = AckDisposition::Acknowledge;
  AckClass ack_class = AckClass::Error;
  // ERR-3 when the caller names no more specific code; meaningless for an Accept.
  Hl7ErrorCode hl7_error = Hl7ErrorCode::ApplicationInternalError;
};

// The one table Error -> MSA-1 + ERR (STYLE.md §4):
//   InvalidInput       AE 102  a value that does not hold up (caller names the field)
//   NotFound           AE 103  an unknown site, code or reference
//   Duplicate          AA      an idempotency hit: acknowledged again, not processed twice
//   Rejected           AR 200  not for us / not supported until the configuration changes
//   RuleFailed         AE 207
//   Internal           AE 207
//   Unavailable        no ACK, close: the store was down, the sender retries
//   Timeout            no ACK, close
//   ResourceExhausted  no ACK, close: refuse new work, the sender retries later
AckForError ackForError(ErrorCode code);

}  // namespace sundial::hl7
