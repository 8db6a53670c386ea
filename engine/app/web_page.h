#pragma once
// The reading-room page (built from worklist/ui) on the engine's HTTP server at "/".
// Where its files are: the folder named by SUNDIAL_UI_DIR, else `ui` next to the sundial
// binary (the build puts it at build/ui, beside build/sundial). Called by the thread that
// builds the HTTP server, before start().

#include <filesystem>
#include <optional>

#include "adapters/http/http_server.h"

namespace sundial::app {

// The folder to serve, or nullopt when neither place holds one.
std::optional<std::filesystem::path> findWebPageFolder();

// Routes every file of the page. Without a built page the API still runs: this logs a
// warning saying how to build it and serves nothing.
void installWebPage(adapters::http::HttpServer& server);

}  // namespace sundial::app
