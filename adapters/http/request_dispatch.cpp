#include "adapters/http/request_dispatch.h"

#include <exception>
#include <string>
#include <utility>
#include <variant>

#include "engine/domain/log.h"

namespace sundial::adapters::http {
namespace {

constexpr std::string_view kInternalErrorMessage = "internal error";

}  // namespace

Response dispatchRequest(const Gate& gate, const RouteTable& routes, Request& request) {
  if (gate) {
    // Like a handler, the gate must not take the io thread down with an exception.
    try {
      if (std::optional<Response> refused = gate(request)) return std::move(*refused);
    } catch (const std::exception& e) {
      log::error("http_gate_failed", {{"method", request.method}, {"what", e.what()}});
      return jsonError(500, kInternalErrorMessage);
    } catch (...) {
      log::error("http_gate_failed",
                 {{"method", request.method}, {"what", "a non-standard exception"}});
      return jsonError(500, kInternalErrorMessage);
    }
  }
  RouteMatch match = routes.match(request.method, request.path);
  if (std::holds_alternative<RouteNotFound>(match)) return jsonError(404, "no such path");
  if (auto* not_allowed = std::get_if<RouteMethodNotAllowed>(&match)) {
    Response response = jsonError(405, "method not allowed");
    std::string allow;
    for (const std::string& method : not_allowed->allowed) {
      if (!allow.empty()) allow += ", ";
      allow += method;
    }
    response.headers.emplace_back("Allow", std::move(allow));
    return response;
  }
  auto& found = std::get<RouteFound>(match);
  request.path_tail = std::move(found.path_tail);
  // Nothing may escape the io thread: a throwing handler is a bug in that handler, but
  // the other routes and connections must keep working.
  try {
    return (*found.handler)(request);
  } catch (const std::exception& e) {
    log::error("http_handler_failed",
               {{"method", request.method}, {"route", found.pattern}, {"what", e.what()}});
  } catch (...) {
    log::error("http_handler_failed", {{"method", request.method},
                                       {"route", found.pattern},
                                       {"what", "a non-standard exception"}});
  }
  return jsonError(500, kInternalErrorMessage);
}

bool isFinalStatus(int status) { return status >= 200 && status <= 599; }

}  // namespace sundial::adapters::http
