#include "adapters/http/http_message.h"

#include <nlohmann/json.hpp>

namespace sundial::adapters::http {

Response jsonError(int status, std::string_view message) {
  Response response;
  response.status = status;
  // replace: a message with invalid UTF-8 (echoing client input) must not throw here.
  response.body = nlohmann::json{{"error", message}}.dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace sundial::adapters::http
