#include "engine/app/web_page.h"

#include <cstdlib>
#include <memory>
#include <system_error>

#include "adapters/http/static_files.h"
#include "engine/domain/log.h"

namespace sundial::app {
namespace {

constexpr const char* kFolderVariable = "SUNDIAL_UI_DIR";
constexpr const char* kFolderBesideBinary = "ui";

}  // namespace

std::optional<std::filesystem::path> findWebPageFolder() {
  if (const char* configured = std::getenv(kFolderVariable); configured && *configured) {
    return std::filesystem::path(configured);
  }
  std::error_code ec;
  std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  std::filesystem::path beside = binary.parent_path() / kFolderBesideBinary;
  if (!std::filesystem::is_directory(beside, ec)) return std::nullopt;
  return beside;
}

void installWebPage(adapters::http::HttpServer& server) {
  auto folder = findWebPageFolder();
  if (!folder) {
    log::warn("web_page_missing", {{"reason", "no ui folder beside the binary and no SUNDIAL_UI_DIR"},
                                   {"hint", "build with cmake (needs npm) or set SUNDIAL_UI_DIR"}});
    return;
  }
  auto loaded = adapters::http::StaticFiles::loadFolder(*folder);
  if (!loaded) {
    log::warn("web_page_missing", {{"reason", loaded.error().describe()}});
    return;
  }
  // Shared by every route's handler; read-only from here on.
  auto files = std::make_shared<const adapters::http::StaticFiles>(std::move(loaded.value()));
  for (const std::string& path : files->urlPaths()) {
    server.route("GET", path,
                 [files](const adapters::http::Request& request) { return files->serve(request); });
  }
  log::info("web_page_served", {{"folder", folder->string()},
                                {"files", std::to_string(files->fileCount())}});
}

}  // namespace sundial::app
