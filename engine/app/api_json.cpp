#include "engine/app/api_json.h"

#include <charconv>
#include <string>
#include <utility>

#include "adapters/http/error_status.h"

namespace sundial::app {

adapters::http::Response jsonResponse(int status, const nlohmann::json& body) {
  return jsonTextResponse(status,
                          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

adapters::http::Response jsonTextResponse(int status, std::string body) {
  adapters::http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

adapters::http::Response describedError(const Error& error) {
  return adapters::http::jsonError(adapters::http::httpStatusFor(error.code), error.describe());
}

nlohmann::json epochMsOrNull(UtcTime t) {
  if (t == UtcTime{}) return nullptr;
  return toEpochMs(t);
}

Result<int> limitParam(const adapters::http::Request& request, int default_limit, int max_limit) {
  auto it = request.query.find("limit");
  if (it == request.query.end()) return default_limit;
  const std::string& text = it->second;
  int limit = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (error != std::errc() || end != text.data() + text.size()) {
    return makeError(ErrorCode::InvalidInput, "limit must be a whole number");
  }
  if (limit < 1 || limit > max_limit) {
    return makeError(ErrorCode::InvalidInput, "limit must be 1-" + std::to_string(max_limit));
  }
  return limit;
}

}  // namespace sundial::app
