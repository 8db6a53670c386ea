#pragma once
// RuleSet: the rule files of one folder as read at one moment — immutable, shared between
// threads as std::shared_ptr<const RuleSet>, named by the content hash of its files.
//
// A folder holds rule files (*.lua, tried in name order: the first whose route(f) returns a
// decision decides) and test files (*_test.lua, also in a tests/ sub-folder: they declare
// `cases`, run by `sundial rules test` and before a reload goes live). Reading a folder compiles
// every rule file in a scratch sandbox, so a syntax error, a file that raises while loading or
// one that declares no route() is refused with file:line:reason.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/domain/result.h"

namespace sundial::rules {

struct RuleFile {
  std::string name;  // file name relative to the folder ("20_neuro.lua", "tests/neuro_test.lua")
  std::string source;
};

struct RuleSet {
  std::filesystem::path folder;
  std::vector<RuleFile> rules;  // in name order
  std::vector<RuleFile> tests;  // in name order
  std::string version;          // SHA-256 of the rule files' names and contents (tests excluded)
};

// The function every rule file declares.
inline constexpr const char* kRouteFunction = "route";

// Reads and compiles the folder. InvalidInput when it is missing or holds no rule file;
// RuleFailed (message "file:line: reason") when a rule file does not compile or load.
[[nodiscard]] Result<std::shared_ptr<const RuleSet>> readRuleFolder(
    const std::filesystem::path& folder);

// A rule set from sources in memory (tests, benchmarks); compiled like readRuleFolder.
[[nodiscard]] Result<std::shared_ptr<const RuleSet>> makeRuleSet(
    std::vector<RuleFile> rules, std::vector<RuleFile> tests = {},
    std::filesystem::path folder = {});

// A cheap fingerprint of the folder (names, sizes, modification times of *.lua files) to notice
// a change without reading every file.
std::string folderFingerprint(const std::filesystem::path& folder);

}  // namespace sundial::rules
