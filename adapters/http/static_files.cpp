#include "adapters/http/static_files.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <utility>

namespace sundial::adapters::http {
namespace {

constexpr std::string_view kIndexPath = "/index.html";
constexpr std::string_view kAssetsPrefix = "/assets/";
constexpr std::string_view kCacheForever = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
// The page loads only its own script and style and talks only to this server: anything
// else (an injected script, a style attribute written as markup) is refused by the browser.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

struct ContentType {
  std::string_view extension;
  std::string_view type;
};
constexpr std::array kContentTypes{
    ContentType{"html", "text/html; charset=utf-8"},
    ContentType{"js", "text/javascript; charset=utf-8"},
    ContentType{"mjs", "text/javascript; charset=utf-8"},
    ContentType{"css", "text/css; charset=utf-8"},
    ContentType{"json", "application/json"},
    ContentType{"map", "application/json"},
    ContentType{"svg", "image/svg+xml"},
    ContentType{"png", "image/png"},
    ContentType{"ico", "image/x-icon"},
    ContentType{"woff2", "font/woff2"},
    ContentType{"txt", "text/plain; charset=utf-8"},
};

// FNV-1a: a stable content hash for the ETag (not a security boundary).
std::string etagOf(std::string_view content) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  std::ostringstream out;
  out << '"' << std::hex << hash << '-' << std::dec << content.size() << '"';
  return out.str();
}

std::string_view extensionOf(std::string_view path) {
  auto slash = path.rfind('/');
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return path.substr(dot + 1);
}

// If-None-Match may list several tags, or "*".
bool etagMatches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

std::string_view contentTypeForExtension(std::string_view extension) {
  for (const ContentType& entry : kContentTypes) {
    if (entry.extension == extension) return entry.type;
  }
  return "application/octet-stream";
}

Result<StaticFiles> StaticFiles::loadFolder(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    return makeError(ErrorCode::NotFound, "the web page folder does not exist", root.string());
  }
  StaticFiles files;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return makeError(ErrorCode::Unavailable, "cannot read a file of the web page",
                       it->path().string());
    }
    files.add("/" + std::filesystem::relative(it->path(), root).generic_string(),
              std::move(content));
  }
  if (ec) {
    return makeError(ErrorCode::Unavailable, "cannot list the web page folder: " + ec.message(),
                     root.string());
  }
  if (!files.files_.contains(kIndexPath)) {
    return makeError(ErrorCode::NotFound, "the web page folder has no index.html", root.string());
  }
  return files;
}

void StaticFiles::add(std::string url_path, std::string content) {
  File file;
  file.content_type = std::string(contentTypeForExtension(extensionOf(url_path)));
  file.etag = etagOf(content);
  file.immutable = url_path.starts_with(kAssetsPrefix);
  file.content = std::move(content);
  files_.insert_or_assign(std::move(url_path), std::move(file));
}

std::vector<std::string> StaticFiles::urlPaths() const {
  std::vector<std::string> paths;
  if (files_.contains(kIndexPath)) paths.emplace_back("/");
  for (const auto& [path, file] : files_) paths.push_back(path);
  return paths;
}

Response StaticFiles::serve(const Request& request) const {
  std::string_view path = request.path == "/" ? kIndexPath : std::string_view(request.path);
  auto found = files_.find(path);
  if (found == files_.end()) return jsonError(404, "no such path");
  const File& file = found->second;

  Response response;
  response.headers.emplace_back("ETag", file.etag);
  response.headers.emplace_back("Cache-Control",
                                std::string(file.immutable ? kCacheForever : kRevalidate));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (file.content_type.starts_with("text/html")) {
    response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  if (auto it = request.headers.find("if-none-match");
      it != request.headers.end() && etagMatches(it->second, file.etag)) {
    response.status = 304;
    return response;
  }
  response.content_type = file.content_type;
  response.body = file.content;
  return response;
}

}  // namespace sundial::adapters::http
