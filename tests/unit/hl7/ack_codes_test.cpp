#include "hl7/ack/ack_codes.h"

#include <gtest/gtest.h>

namespace sundial::hl7 {
namespace {

struct Row {
  ErrorCode error;
  AckDisposition disposition;
  AckClass ack_class;
  Hl7ErrorCode hl7_error;
};

// The whole Error -> MSA-1 + ERR table (STYLE.md §4), row by row.
TEST(AckForError, MapsEveryErrorCode) {
  using enum AckDisposition;
  const Row rows[] = {
      {ErrorCode::InvalidInput, Acknowledge, AckClass::Error, Hl7ErrorCode::DataTypeError},
      {ErrorCode::NotFound, Acknowledge, AckClass::Error, Hl7ErrorCode::TableValueNotFound},
      {ErrorCode::Duplicate, Acknowledge, AckClass::Accept,
       Hl7ErrorCode::ApplicationInternalError},
      {ErrorCode::Rejected, Acknowledge, AckClass::Reject, Hl7ErrorCode::UnsupportedMessageType},
      {ErrorCode::RuleFailed, Acknowledge, AckClass::Error,
       Hl7ErrorCode::ApplicationInternalError},
      {ErrorCode::Internal, Acknowledge, AckClass::Error, Hl7ErrorCode::ApplicationInternalError},
      {ErrorCode::Unavailable, CloseWithoutAck, AckClass::Error,
       Hl7ErrorCode::ApplicationInternalError},
      {ErrorCode::Timeout, CloseWithoutAck, AckClass::Error,
       Hl7ErrorCode::ApplicationInternalError},
      {ErrorCode::ResourceExhausted, CloseWithoutAck, AckClass::Error,
       Hl7ErrorCode::ApplicationInternalError},
  };
  for (const Row& row : rows) {
    const AckForError got = ackForError(row.error);
    SCOPED_TRACE(std::string(errorCodeName(row.error)));
    EXPECT_EQ(got.disposition, row.disposition);
    if (got.disposition == CloseWithoutAck) continue;
    EXPECT_EQ(got.ack_class, row.ack_class);
    if (got.ack_class != AckClass::Accept) {
      EXPECT_EQ(got.hl7_error, row.hl7_error);
    }
  }
}

TEST(AckForError, NeverAcceptsWhatWasNotStored) {
  for (ErrorCode code : {ErrorCode::Unavailable, ErrorCode::Timeout,
                         ErrorCode::ResourceExhausted}) {
    EXPECT_EQ(ackForError(code).disposition, AckDisposition::CloseWithoutAck);
  }
}

TEST(AckCode, NamesRoundTripAndModesMap) {
  for (AckCode code : {AckCode::ApplicationAccept, AckCode::ApplicationError,
                       AckCode::ApplicationReject, AckCode::CommitAccept, AckCode::CommitError,
                       AckCode::CommitReject}) {
    EXPECT_EQ(ackCodeFromName(ackCodeName(code)), code);
  }
  EXPECT_FALSE(ackCodeFromName("XX"));
  EXPECT_EQ(ackCodeFor(AckClass::Accept, AckMode::Original), AckCode::ApplicationAccept);
  EXPECT_EQ(ackCodeFor(AckClass::Error, AckMode::Original), AckCode::ApplicationError);
  EXPECT_EQ(ackCodeFor(AckClass::Reject, AckMode::Original), AckCode::ApplicationReject);
  EXPECT_EQ(ackCodeFor(AckClass::Accept, AckMode::Enhanced), AckCode::CommitAccept);
  EXPECT_EQ(ackCodeFor(AckClass::Error, AckMode::Enhanced), AckCode::CommitError);
  EXPECT_EQ(ackCodeFor(AckClass::Reject, AckMode::Enhanced), AckCode::CommitReject);
  EXPECT_TRUE(isAcceptCode(AckCode::CommitAccept));
  EXPECT_FALSE(isAcceptCode(AckCode::CommitError));
}

TEST(Hl7ErrorCode, NumbersAndTextsFollowTable0357) {
  EXPECT_EQ(hl7ErrorNumber(Hl7ErrorCode::SegmentSequenceError), 100);
  EXPECT_EQ(hl7ErrorNumber(Hl7ErrorCode::RequiredFieldMissing), 101);
  EXPECT_EQ(hl7ErrorNumber(Hl7ErrorCode::DataTypeError), 102);
  EXPECT_EQ(hl7ErrorNumber(Hl7ErrorCode::TableValueNotFound), 103);
  EXPECT_EQ(hl7ErrorNumber(Hl7ErrorCode::UnsupportedMessageType), 200);
  EXPECT_EQ(hl7ErrorNumber(Hl7ErrorCode::ApplicationInternalError), 207);
  EXPECT_EQ(hl7ErrorText(Hl7ErrorCode::RequiredFieldMissing), "Required field missing");
}

}  // namespace
}  // namespace sundial::hl7
