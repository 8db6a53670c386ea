#pragma once
// `sundial serve --config FILE`: runs every component of one node in this process.

#include <filesystem>

namespace sundial::app {

// Returns the process exit code (0 after a clean shutdown on SIGTERM/SIGINT).
int runServe(const std::filesystem::path& config_file);

}  // namespace sundial::app
