#include "engine/domain/result.h"

namespace sundial {

std::string_view errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidInput: return "invalid_input";
    case ErrorCode::NotFound: return "not_found";
    case ErrorCode::Duplicate: return "duplicate";
    case ErrorCode::Unavailable: return "unavailable";
    case ErrorCode::Rejected: return "rejected";
    case ErrorCode::ResourceExhausted: return "resource_exhausted";
    case ErrorCode::Timeout: return "timeout";
    case ErrorCode::RuleFailed: return "rule_failed";
    case ErrorCode::Internal: return "internal";
  }
  return "internal";
}

bool isRetryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
    case ErrorCode::ResourceExhausted:
      return true;
    case ErrorCode::InvalidInput:
    case ErrorCode::NotFound:
    case ErrorCode::Duplicate:
    case ErrorCode::Rejected:
    case ErrorCode::RuleFailed:
    case ErrorCode::Internal:
      return false;
  }
  return false;
}

std::string Error::describe() const {
  std::string text(errorCodeName(code));
  text += ": ";
  text += message;
  if (!context.empty()) {
    text += " (";
    text += context;
    text += ")";
  }
  return text;
}

}  // namespace sundial
