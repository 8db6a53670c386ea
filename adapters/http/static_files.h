#pragma once
// The built web page (worklist/ui), served from memory: every file under one folder is read
// once when the engine starts, so a request never touches the disk and no request path can
// reach a file outside that folder. Loaded by one thread, then only read (safe from every io
// thread).

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "adapters/http/http_message.h"
#include "engine/domain/result.h"

namespace sundial::adapters::http {

// By file extension ("js", "css", ...); application/octet-stream for anything unknown.
std::string_view contentTypeForExtension(std::string_view extension);

class StaticFiles {
 public:
  // Every regular file under root, by URL path ("/index.html", "/assets/app-1A2B.js").
  // NotFound when root is not a folder or has no index.html; Unavailable when a file cannot
  // be read.
  static Result<StaticFiles> loadFolder(const std::filesystem::path& root);

  // For tests and for loadFolder: url_path must start with '/'.
  void add(std::string url_path, std::string content);

  // The URL paths to route, "/" included (it serves /index.html).
  std::vector<std::string> urlPaths() const;

  // GET or HEAD of one of urlPaths(). Files under /assets/ carry a content hash in their
  // name and are cached for a year; everything else must be revalidated (ETag, 304).
  Response serve(const Request& request) const;

  std::size_t fileCount() const { return files_.size(); }

 private:
  struct File {
    std::string content;
    std::string content_type;
    std::string etag;  // a quoted hash of the content
    bool immutable;    // under /assets/: the name changes when the content does
  };
  std::map<std::string, File, std::less<>> files_;
};

}  // namespace sundial::adapters::http
