#include "adapters/dicom/send_store_status.h"

#include <cstdio>

namespace sundial::adapters::dicom {

StoreStatusClass classifyStoreStatus(std::uint16_t status) {
  switch (status) {
    case kStoreStatusSuccess:
      return StoreStatusClass::Success;
    case kStoreWarningCoercionOfDataElements:
    case kStoreWarningElementsDiscarded:
    case kStoreWarningDataSetDoesNotMatchSopClass:
      return StoreStatusClass::Warning;
    default:
      break;
  }
  if ((status & kStoreStatusClassMask) == kStoreRefusedOutOfResourcesClass) {
    return StoreStatusClass::OutOfResources;
  }
  return StoreStatusClass::Failure;
}

std::string formatStoreStatus(std::uint16_t status) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04X", static_cast<unsigned>(status));
  return text;
}

std::string_view describeStoreStatus(std::uint16_t status) {
  switch (status) {
    case kStoreStatusSuccess:
      return "success";
    case kStoreWarningCoercionOfDataElements:
      return "warning: coercion of data elements";
    case kStoreWarningElementsDiscarded:
      return "warning: elements discarded";
    case kStoreWarningDataSetDoesNotMatchSopClass:
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
  switch (status & kStoreStatusClassMask) {
    case kStoreRefusedOutOfResourcesClass:
      return "refused: out of resources";
    case kStoreErrorDataSetDoesNotMatchClass:
      return "error: data set does not match SOP class";
    default:
      break;
  }
  if ((status & 0xF000) == kStoreErrorCannotUnderstandClass) return "error: cannot understand";
  if ((status & 0xF000) == 0xB000) return "warning";
  return "failure";
}

Result<void> storeStatusToResult(std::uint16_t status, std::string_view peer, std::string context) {
  StoreStatusClass status_class = classifyStoreStatus(status);
  if (status_class == StoreStatusClass::Success || status_class == StoreStatusClass::Warning) {
    return okResult();
  }
  std::string message = "C-STORE to ";
  message += peer;
  message += " refused the instance: status ";
  message += formatStoreStatus(status);
  message += " (";
  message += describeStoreStatus(status);
  message += ")";
  ErrorCode code = status_class == StoreStatusClass::OutOfResources ? ErrorCode::ResourceExhausted
                                                                    : ErrorCode::InvalidInput;
  return makeError(code, std::move(message), std::move(context));
}

}  // namespace sundial::adapters::dicom
