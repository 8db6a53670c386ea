// The web page's static files: content types, cache rules, ETag revalidation, unknown paths,
// loading a folder.
#include "adapters/http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sundial::adapters::http {
namespace {

std::string header(const Response& response, std::string_view name) {
  for (const auto& [n, v] : response.headers) {
    if (n == name) return v;
  }
  return {};
}

Request get(std::string path) {
  Request request;
  request.method = "GET";
  request.path = std::move(path);
  return request;
}

StaticFiles page() {
  StaticFiles files;
  files.add("/index.html", "<!doctype html><div id=app></div>");
  files.add("/assets/app-ABC123.js", "console.log(1)");
  files.add("/assets/app-ABC123.css", "body{}");
  return files;
}

TEST(StaticFiles, ContentTypeFollowsTheExtension) {
  EXPECT_EQ(contentTypeForExtension("html"), "text/html; charset=utf-8");
  EXPECT_EQ(contentTypeForExtension("js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(contentTypeForExtension("css"), "text/css; charset=utf-8");
  EXPECT_EQ(contentTypeForExtension("svg"), "image/svg+xml");
  EXPECT_EQ(contentTypeForExtension("exe"), "application/octet-stream");
}

TEST(StaticFiles, RootServesIndexToBeRevalidatedWithACsp) {
  Response response = page().serve(get("/"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(response.body, "<!doctype html><div id=app></div>");
  EXPECT_EQ(header(response, "Cache-Control"), "no-cache");
  EXPECT_NE(header(response, "Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(header(response, "X-Content-Type-Options"), "nosniff");
}

TEST(StaticFiles, HashedAssetsAreCachedForAYear) {
  Response response = page().serve(get("/assets/app-ABC123.js"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header(response, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_TRUE(header(response, "Content-Security-Policy").empty());
}

TEST(StaticFiles, MatchingEtagAnswers304WithoutBody) {
  StaticFiles files = page();
  std::string etag = header(files.serve(get("/")), "ETag");
  ASSERT_FALSE(etag.empty());
  Request again = get("/");
  again.headers["if-none-match"] = etag;
  Response response = files.serve(again);
  EXPECT_EQ(response.status, 304);
  EXPECT_TRUE(response.body.empty());

  again.headers["if-none-match"] = "\"other\"";
  EXPECT_EQ(files.serve(again).status, 200);
}

TEST(StaticFiles, ChangedContentChangesTheEtag) {
  StaticFiles files = page();
  std::string before = header(files.serve(get("/")), "ETag");
  files.add("/index.html", "<!doctype html><p>new</p>");
  EXPECT_NE(header(files.serve(get("/")), "ETag"), before);
}

TEST(StaticFiles, UnknownPathIs404) {
  EXPECT_EQ(page().serve(get("/nope.js")).status, 404);
}

TEST(StaticFiles, UrlPathsIncludeRootOnlyWithAnIndex) {
  auto paths = page().urlPaths();
  EXPECT_EQ(paths.front(), "/");
  EXPECT_EQ(paths.size(), 4u);
  StaticFiles no_index;
  no_index.add("/a.js", "x");
  EXPECT_EQ(no_index.urlPaths(), std::vector<std::string>{"/a.js"});
}

class StaticFilesFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("sundial-static-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "assets");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void write(const std::filesystem::path& relative, const std::string& content) {
    std::ofstream(root_ / relative, std::ios::binary) << content;
  }
  std::filesystem::path root_;
};

TEST_F(StaticFilesFolder, LoadsEveryFileByUrlPath) {
  write("index.html", "<html>");
  write("assets/app-X.js", "js");
  auto loaded = StaticFiles::loadFolder(root_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_EQ(loaded->fileCount(), 2u);
  EXPECT_EQ(loaded->serve(get("/assets/app-X.js")).body, "js");
}

TEST_F(StaticFilesFolder, AFolderWithoutIndexIsNotAPage) {
  write("assets/app-X.js", "js");
  auto loaded = StaticFiles::loadFolder(root_);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::NotFound);
}

TEST_F(StaticFilesFolder, AMissingFolderIsNotFound) {
  auto loaded = StaticFiles::loadFolder(root_ / "missing");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace sundial::adapters::http
