#pragma once
// Reads and validates the YAML configuration file. Every problem is collected and reported
// with the file, line and what is wrong; start-up stops if there is any.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/config/config.h"

namespace sundial::config {

struct LoadProblem {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string message;

  std::string describe() const;  // "file:line: message"
};

struct LoadOutcome {
  std::shared_ptr<const Config> config;  // null when problems is not empty
  std::vector<LoadProblem> problems;
};

// `working_dir` resolves a relative data folder (the process's working directory in practice).
LoadOutcome loadConfigFile(const std::filesystem::path& file,
                           const std::filesystem::path& working_dir);
LoadOutcome loadConfigText(const std::string& text, const std::string& file_label,
                           const std::filesystem::path& working_dir);

// Whether `address` (a dotted IPv4 or IPv6 text) matches `pattern` (exact or CIDR).
bool addressMatches(const std::string& pattern, const std::string& address);
bool isValidAddressPattern(const std::string& pattern);

}  // namespace sundial::config
