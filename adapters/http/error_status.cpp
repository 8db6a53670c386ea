#include "adapters/http/error_status.h"

#include <nlohmann/json.hpp>

namespace sundial::adapters::http {

int httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidInput:
      return 400;
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::Duplicate:
      return 409;
    case ErrorCode::Rejected:
      return 403;
    case ErrorCode::ResourceExhausted:
      return 429;
    case ErrorCode::Unavailable:
      return 503;
    case ErrorCode::Timeout:
      return 504;
    case ErrorCode::RuleFailed:
      return 500;
    case ErrorCode::Internal:
      return 500;
  }
  return 500;
}

Response errorResponse(const Error& error) {
  Response response;
  response.status = httpStatusFor(error.code);
  nlohmann::json body{{"error", error.message}, {"code", errorCodeName(error.code)}};
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace sundial::adapters::http
