#include "adapters/dicom/send_store_status.h"

#include <cstdio>

namespace sundial::adapters::dicom {

StoreStatusClass classifyStoreStatus(std::uint16_t code) {
  switch (code) {
    case status::kSuccess:
      return StoreStatusClass::Success;
    case status::kWarningCoercionOfDataElements:
    case status::kWarningElementsDiscarded:
    case status::kWarningDataSetDoesNotMatchSopClass:
      return StoreStatusClass::Warning;
    default:
      break;
  }
  if ((code & status::kClassMask) == status::kOutOfResources) {
    return StoreStatusClass::OutOfResources;
  }
  return StoreStatusClass::Failure;
}

std::string_view describeStoreStatus(std::uint16_t code) {
  switch (code) {
    case status::kSuccess:
      return "success";
    case status::kWarningCoercionOfDataElements:
      return "warning: coercion of data elements";
    case status::kWarningElementsDiscarded:
      return "warning: elements discarded";
    case status::kWarningDataSetDoesNotMatchSopClass:
      return "warning: data set does not match SOP class";
    case 0x0122:
      return "refused: SOP class not supported";
    case 0x0124:
      return "refused: not authorized";
    case 0x0110:
      return "processing failure";
    case 0x0111:
      return "duplicate SOP instance";
    case 0x0117:
      return "invalid SOP instance";
    case 0x0211:
      return "unrecognized operation";
    case 0x0212:
      return "mistyped argument";
    default:
      break;
  }
  switch (code & status::kClassMask) {
    case status::kOutOfResources:
      return "refused: out of resources";
    case status::kDataSetDoesNotMatchSopClass:
      return "error: data set does not match SOP class";
    default:
      break;
  }
  if ((code & 0xF000) == status::kCannotUnderstand) return "error: cannot understand";
  if ((code & 0xF000) == 0xB000) return "warning";
  return "failure";
}

Result<void> storeStatusToResult(std::uint16_t dimse_status, std::string_view peer,
                                 std::string context) {
  StoreStatusClass status_class = classifyStoreStatus(dimse_status);
  if (status_class == StoreStatusClass::Success || status_class == StoreStatusClass::Warning) {
    return okResult();
  }
  std::string message = "C-STORE to ";
  message += peer;
  message += " refused the instance: status ";
  message += status::formatStatus(dimse_status);
  message += " (";
  message += describeStoreStatus(dimse_status);
  message += ")";
  ErrorCode code = status_class == StoreStatusClass::OutOfResources ? ErrorCode::ResourceExhausted
                                                                    : ErrorCode::InvalidInput;
  return makeError(code, std::move(message), std::move(context));
}

}  // namespace sundial::adapters::dicom
