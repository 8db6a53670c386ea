#include "adapters/http/route_table.h"

#include <gtest/gtest.h>

namespace sundial::adapters::http {
namespace {

Handler answering(std::string body) {
  return [body](const Request&) {
    Response response;
    response.body = body;
    return response;
  };
}

std::string bodyOf(const RouteMatch& match) {
  const auto* found = std::get_if<RouteFound>(&match);
  if (!found) return "<no route>";
  return (*found->handler)(Request{}).body;
}

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_.add("GET", "/health", answering("health"));
    table_.add("GET", "/studies/*", answering("studies"));
    table_.add("GET", "/studies/special/*", answering("special"));
    table_.add("POST", "/studies/import", answering("import"));
    table_.add("DELETE", "/studies/*", answering("delete"));
  }
  RouteTable table_;
};

TEST_F(RouteTableTest, ExactBeatsPrefixAndLongestPrefixWins) {
  EXPECT_EQ(bodyOf(table_.match("GET", "/health")), "health");
  EXPECT_EQ(bodyOf(table_.match("GET", "/studies/1.2.3")), "studies");
  EXPECT_EQ(bodyOf(table_.match("GET", "/studies/special/x")), "special");
  EXPECT_EQ(bodyOf(table_.match("POST", "/studies/import")), "import");
  // Another method's exact route does not hide this method's prefix route.
  EXPECT_EQ(bodyOf(table_.match("GET", "/studies/import")), "studies");
}

TEST_F(RouteTableTest, PrefixRoutesGiveTheTail) {
  auto match = table_.match("GET", "/studies/1.2.3/series");
  ASSERT_TRUE(std::holds_alternative<RouteFound>(match));
  EXPECT_EQ(std::get<RouteFound>(match).path_tail, "1.2.3/series");
  EXPECT_EQ(std::get<RouteFound>(match).pattern, "/studies/*");
}

TEST_F(RouteTableTest, PrefixDoesNotMatchItsBareFolder) {
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(table_.match("GET", "/studies")));
  EXPECT_TRUE(std::holds_alternative<RouteNotFound>(table_.match("GET", "/healthz")));
}

TEST_F(RouteTableTest, HeadIsServedByGet) {
  EXPECT_EQ(bodyOf(table_.match("HEAD", "/health")), "health");
}

TEST_F(RouteTableTest, WrongMethodListsTheAllowedOnes) {
  auto match = table_.match("PUT", "/studies/import");
  ASSERT_TRUE(std::holds_alternative<RouteMethodNotAllowed>(match));
  std::vector<std::string> expected{"DELETE", "GET", "HEAD", "POST"};
  EXPECT_EQ(std::get<RouteMethodNotAllowed>(match).allowed, expected);
}

TEST(RouteTable, CatchAllPrefixMatchesEverything) {
  RouteTable table;
  table.add("GET", "/*", answering("all"));
  EXPECT_EQ(bodyOf(table.match("GET", "/")), "all");
  EXPECT_EQ(bodyOf(table.match("GET", "/a/b")), "all");
}

TEST(RouteTable, AddingTheSameRouteReplacesTheHandler) {
  RouteTable table;
  table.add("GET", "/a", answering("old"));
  table.add("GET", "/a", answering("new"));
  EXPECT_EQ(bodyOf(table.match("GET", "/a")), "new");
}

}  // namespace
}  // namespace sundial::adapters::http
