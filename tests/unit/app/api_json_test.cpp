#include "engine/app/api_json.h"

#include <gtest/gtest.h>

#include <string>

namespace sundial::app {
namespace {

adapters::http::Request withQuery(std::string key, std::string value) {
  adapters::http::Request request;
  request.query.emplace(std::move(key), std::move(value));
  return request;
}

std::string headerOf(const adapters::http::Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(ApiJsonTest, AnswersAreJsonAndNeverCached) {
  auto response = jsonResponse(201, {{"id", 7}});
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, R"({"id":7})");
  EXPECT_EQ(headerOf(response, "Cache-Control"), "no-store");
}

TEST(ApiJsonTest, AStringThatIsNotUtf8IsReplacedNotThrownOn) {
  // "MÜLLER" in ISO 8859-1, as a DICOM header or an HL7 message may carry it.
  const std::string latin1 = "M\xDCLLER";
  adapters::http::Response response;
  ASSERT_NO_THROW(response = jsonResponse(200, {{"name", latin1}}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "{\"name\":\"M\xEF\xBF\xBDLLER\"}");
}

TEST(ApiJsonTest, DescribedErrorUsesTheServersStatusTable) {
  auto response = describedError(Error{ErrorCode::NotFound, "no such study"});
  EXPECT_EQ(response.status, 404);
  EXPECT_NE(response.body.find("no such study"), std::string::npos);
  EXPECT_EQ(describedError(Error{ErrorCode::Unavailable, "redis down"}).status, 503);
}

TEST(ApiJsonTest, UnsetTimeIsNullAndASetOneIsEpochMilliseconds) {
  EXPECT_TRUE(epochMsOrNull(UtcTime{}).is_null());
  EXPECT_EQ(epochMsOrNull(fromEpochMs(1'700'000'000'123)).get<long long>(), 1'700'000'000'123);
}

TEST(ApiJsonTest, LimitDefaultsWhenAbsentAndIsCheckedWhenGiven) {
  EXPECT_EQ(limitParam(adapters::http::Request{}, 100, 1000).value(), 100);
  EXPECT_EQ(limitParam(withQuery("limit", "1"), 100, 1000).value(), 1);
  EXPECT_EQ(limitParam(withQuery("limit", "1000"), 100, 1000).value(), 1000);
  for (const char* bad : {"0", "1001", "-5", "ten", "10x", "", "99999999999999999999"}) {
    auto limit = limitParam(withQuery("limit", bad), 100, 1000);
    ASSERT_FALSE(limit) << bad;
    EXPECT_EQ(limit.error().code, ErrorCode::InvalidInput) << bad;
    EXPECT_NE(limit.error().message.find("limit"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace sundial::app
