#include "adapters/http/request_target.h"

#include <gtest/gtest.h>

namespace sundial::adapters::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlusOnlyWhenAsked) {
  EXPECT_EQ(percentDecode("a%20b+c%2Bd", true), "a b c+d");
  EXPECT_EQ(percentDecode("a%20b+c", false), "a b+c");
  EXPECT_EQ(percentDecode("%C3%b6", false), "\xC3\xB6");
}

TEST(PercentDecode, RefusesMalformedEscapes) {
  EXPECT_FALSE(percentDecode("%", false));
  EXPECT_FALSE(percentDecode("ab%4", false));
  EXPECT_FALSE(percentDecode("%zz", false));
}

TEST(ParseRequestTarget, NormalisesThePath) {
  EXPECT_EQ(parseRequestTarget("/")->path, "/");
  EXPECT_EQ(parseRequestTarget("//")->path, "/");
  EXPECT_EQ(parseRequestTarget("/a/./b//c")->path, "/a/b/c");
  EXPECT_EQ(parseRequestTarget("/a/b/")->path, "/a/b/");
  EXPECT_EQ(parseRequestTarget("/a%20b/1.2%2E3")->path, "/a b/1.2.3");
  EXPECT_EQ(parseRequestTarget("/a+b")->path, "/a+b");
}

TEST(ParseRequestTarget, DecodesTheQueryAndKeepsTheFirstOfRepeatedKeys) {
  auto target = parseRequestTarget("/q?a=1&b=x+y&a=2&&c&d=%3D&e=#frag");
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->path, "/q");
  std::map<std::string, std::string> expected{
      {"a", "1"}, {"b", "x y"}, {"c", ""}, {"d", "="}, {"e", ""}};
  EXPECT_EQ(target->query, expected);
}

TEST(ParseRequestTarget, AcceptsAbsoluteForm) {
  EXPECT_EQ(parseRequestTarget("http://host:8080/a/b?x=1")->path, "/a/b");
  EXPECT_EQ(parseRequestTarget("HTTP://host")->path, "/");
}

TEST(ParseRequestTarget, RefusesDotDotAndSmuggledSlashes) {
  for (const char* target : {"/a/../b", "/..", "/a/%2e%2E/b", "/a%2F..%2Fb", "/a%00b", "/%zz",
                             "/q?x=%g1", "*", "a/b", "ftp://host/a", "http://host?x=1"}) {
    auto parsed = parseRequestTarget(target);
    ASSERT_FALSE(parsed.ok()) << target;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput) << target;
  }
}

TEST(ParseRequestTarget, AllowsDotsInsideSegments) {
  EXPECT_EQ(parseRequestTarget("/studies/1.2.840.10008/..x/...")->path,
            "/studies/1.2.840.10008/..x/...");
}

}  // namespace
}  // namespace sundial::adapters::http
