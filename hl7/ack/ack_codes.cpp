#include "hl7/ack/ack_codes.h"

#include <array>
#include <cassert>
#include <utility>

namespace sundial::hl7 {

namespace {

constexpr std::array<std::pair<AckCode, std::string_view>, 6> kAckCodeNames{{
    {AckCode::ApplicationAccept, kApplicationAccept},
    {AckCode::ApplicationError, kApplicationError},
    {AckCode::ApplicationReject, kApplicationReject},
    {AckCode::CommitAccept, kCommitAccept},
    {AckCode::CommitError, kCommitError},
    {AckCode::CommitReject, kCommitReject},
}};

}  // namespace

std::string_view ackCodeName(AckCode code) {
  for (const auto& [value, name] : kAckCodeNames) {
    if (value == code) return name;
  }
  assert(false && "every AckCode has a name");
  return kApplicationError;
}

std::optional<AckCode> ackCodeFromName(std::string_view name) {
  for (const auto& [value, known] : kAckCodeNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

bool isAcceptCode(AckCode code) {
  return code == AckCode::ApplicationAccept || code == AckCode::CommitAccept;
}

AckCode ackCodeFor(AckClass ack_class, AckMode mode) {
  const bool enhanced = mode == AckMode::Enhanced;
  switch (ack_class) {
    case AckClass::Accept:
      return enhanced ? AckCode::CommitAccept : AckCode::ApplicationAccept;
    case AckClass::Error:
      return enhanced ? AckCode::CommitError : AckCode::ApplicationError;
    case AckClass::Reject:
      return enhanced ? AckCode::CommitReject : AckCode::ApplicationReject;
  }
  assert(false && "every AckClass is handled");
  return AckCode::ApplicationReject;
}

int hl7ErrorNumber(Hl7ErrorCode code) { return static_cast<int>(code); }

std::string_view hl7ErrorText(Hl7ErrorCode code) {
  switch (code) {
    case Hl7ErrorCode::SegmentSequenceError:
      return "Segment sequence error";
    case Hl7ErrorCode::RequiredFieldMissing:
      return "Required field missing";
    case Hl7ErrorCode::DataTypeError:
      return "Data type error";
    case Hl7ErrorCode::TableValueNotFound:
      return "Table value not found";
    case Hl7ErrorCode::UnsupportedMessageType:
      return "Unsupported message type";
    case Hl7ErrorCode::ApplicationInternalError:
      return "Application internal error";
  }
  return "Application internal error";
}

AckForError ackForError(ErrorCode code) {
  using enum AckDisposition;
  switch (code) {
    case ErrorCode::InvalidInput:
      return {Acknowledge, AckClass::Error, Hl7ErrorCode::DataTypeError};
    case ErrorCode::NotFound:
      return {Acknowledge, AckClass::Error, Hl7ErrorCode::TableValueNotFound};
    case ErrorCode::Duplicate:
      return {Acknowledge, AckClass::Accept, Hl7ErrorCode::ApplicationInternalError};
    case ErrorCode::Rejected:
      return {Acknowledge, AckClass::Reject, Hl7ErrorCode::UnsupportedMessageType};
    case ErrorCode::RuleFailed:
    case ErrorCode::Internal:
      return {Acknowledge, AckClass::Error, Hl7ErrorCode::ApplicationInternalError};
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
    case ErrorCode::ResourceExhausted:
      return {CloseWithoutAck, AckClass::Error, Hl7ErrorCode::ApplicationInternalError};
  }
  // An ErrorCode added without a row here: never acknowledge what we do not understand.
  return {CloseWithoutAck, AckClass::Error, Hl7ErrorCode::ApplicationInternalError};
}

}  // namespace sundial::hl7
