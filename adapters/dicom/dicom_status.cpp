#include "adapters/dicom/dicom_status.h"

#include <cstdio>

namespace sundial::adapters::dicom::status {

std::uint16_t storeStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidInput:
      return kCannotUnderstand;
    case ErrorCode::ResourceExhausted:
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
      return kOutOfResources;
    case ErrorCode::NotFound:
    case ErrorCode::Duplicate:
    case ErrorCode::Rejected:
    case ErrorCode::RuleFailed:
    case ErrorCode::Internal:
      return kProcessingFailure;
  }
  return kProcessingFailure;
}

std::string formatStatus(std::uint16_t status) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04X", static_cast<unsigned>(status));
  return text;
}

}  // namespace sundial::adapters::dicom::status
