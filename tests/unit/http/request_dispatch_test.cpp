// The server's handling of a parsed request: gate, routes, handler, exceptions.
#include "adapters/http/request_dispatch.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace sundial::adapters::http {
namespace {

Request requestFor(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

Response ok() { return Response{}; }

TEST(DispatchRequest, TheGateAnswersBeforeAnyHandler) {
  RouteTable routes;
  bool reached = false;
  routes.add("GET", "/api/v1/me", [&](const Request&) {
    reached = true;
    return ok();
  });
  Gate refuse = [](Request&) -> std::optional<Response> { return jsonError(401, "log in first"); };
  Request request = requestFor("GET", "/api/v1/me");
  EXPECT_EQ(dispatchRequest(refuse, routes, request).status, 401);
  EXPECT_FALSE(reached);
  EXPECT_EQ(dispatchRequest(Gate{}, routes, request).status, 200);
  EXPECT_TRUE(reached);
}

TEST(DispatchRequest, RoutesWithTheTailAndListsAllowedMethods) {
  RouteTable routes;
  std::string tail;
  routes.add("POST", "/api/v1/tasks/*", [&](const Request& r) {
    tail = r.path_tail;
    return ok();
  });
  Request post = requestFor("POST", "/api/v1/tasks/t-1/claim");
  EXPECT_EQ(dispatchRequest(Gate{}, routes, post).status, 200);
  EXPECT_EQ(tail, "t-1/claim");
  Request get = requestFor("GET", "/api/v1/tasks/t-1");
  Response refused = dispatchRequest(Gate{}, routes, get);
  EXPECT_EQ(refused.status, 405);
  ASSERT_EQ(refused.headers.size(), 1u);
  EXPECT_EQ(refused.headers[0].second, "POST");
  Request nowhere = requestFor("GET", "/nowhere");
  EXPECT_EQ(dispatchRequest(Gate{}, routes, nowhere).status, 404);
}

TEST(DispatchRequest, AThrowingGateOrHandlerIsA500) {
  RouteTable routes;
  routes.add("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("bug"); });
  routes.add("GET", "/odd", [](const Request&) -> Response { throw 7; });
  Request boom = requestFor("GET", "/boom");
  EXPECT_EQ(dispatchRequest(Gate{}, routes, boom).status, 500);
  Request odd = requestFor("GET", "/odd");
  EXPECT_EQ(dispatchRequest(Gate{}, routes, odd).status, 500);
  Gate broken = [](Request&) -> std::optional<Response> { throw std::runtime_error("bug"); };
  EXPECT_EQ(dispatchRequest(broken, routes, boom).status, 500);
}

TEST(IsFinalStatus, OnlyTwoHundredToFiveNinetyNine) {
  EXPECT_TRUE(isFinalStatus(200));
  EXPECT_TRUE(isFinalStatus(599));
  EXPECT_FALSE(isFinalStatus(100));
  EXPECT_FALSE(isFinalStatus(199));
  EXPECT_FALSE(isFinalStatus(600));
  EXPECT_FALSE(isFinalStatus(-1));
}

}  // namespace
}  // namespace sundial::adapters::http
