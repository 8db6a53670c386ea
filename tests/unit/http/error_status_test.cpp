#include "adapters/http/error_status.h"

#include <gtest/gtest.h>

namespace sundial::adapters::http {
namespace {

TEST(HttpStatusFor, MapsEveryErrorCode) {
  EXPECT_EQ(httpStatusFor(ErrorCode::InvalidInput), 400);
  EXPECT_EQ(httpStatusFor(ErrorCode::NotFound), 404);
  EXPECT_EQ(httpStatusFor(ErrorCode::Duplicate), 409);
  EXPECT_EQ(httpStatusFor(ErrorCode::Rejected), 403);
  EXPECT_EQ(httpStatusFor(ErrorCode::ResourceExhausted), 429);
  EXPECT_EQ(httpStatusFor(ErrorCode::Unavailable), 503);
  EXPECT_EQ(httpStatusFor(ErrorCode::Timeout), 504);
  EXPECT_EQ(httpStatusFor(ErrorCode::RuleFailed), 500);
  EXPECT_EQ(httpStatusFor(ErrorCode::Internal), 500);
}

TEST(ErrorResponse, CarriesMessageAndCodeButNotTheContext) {
  Response response =
      errorResponse(makeError(ErrorCode::NotFound, "no such study", "redis key study:1.2.3"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"code":"not_found","error":"no such study"})");
}

TEST(JsonError, EscapesTheMessage) {
  Response response = jsonError(400, "bad \"quote\"\n\xff");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body, "{\"error\":\"bad \\\"quote\\\"\\n\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace sundial::adapters::http
