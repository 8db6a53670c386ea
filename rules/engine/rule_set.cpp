#include "rules/engine/rule_set.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "rules/api/content_hash.h"
#include "rules/engine/rule_worker.h"

namespace sundial::rules {
namespace {

bool endsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool isTestFile(const std::string& relative) {
  return endsWith(relative, "_test.lua") || relative.rfind("tests/", 0) == 0;
}

// *.lua files in the folder and its tests/ sub-folder, relative names in name order.
std::vector<std::string> luaFiles(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto* sub : {"", "tests"}) {
    const auto dir = folder / sub;
    if (!std::filesystem::is_directory(dir, ec)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (!entry.is_regular_file(ec) || entry.path().extension() != ".lua") continue;
      const std::string file = entry.path().filename().string();
      if (file.empty() || file.front() == '.') continue;  // editors' temporary files
      names.push_back(std::string(sub).empty() ? file : std::string(sub) + "/" + file);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Result<std::shared_ptr<const RuleSet>> makeRuleSet(std::vector<RuleFile> rules,
                                                   std::vector<RuleFile> tests,
                                                   std::filesystem::path folder) {
  if (rules.empty()) return makeError(ErrorCode::InvalidInput, "the rule set has no rule file");
  std::sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::sort(tests.begin(), tests.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  auto set = std::make_shared<RuleSet>();
  ContentHash hash;
  for (const RuleFile& file : rules) {
    hash.add(file.name);
    hash.add(file.source);
  }
  set->version = hash.hex();
  set->rules = std::move(rules);
  set->tests = std::move(tests);
  set->folder = std::move(folder);
  // Compile every file once now, so a broken set never reaches a worker.
  auto probe = RuleWorker::compileCheck(*set);
  if (!probe.ok()) return probe.error();
  return std::shared_ptr<const RuleSet>(std::move(set));
}

Result<std::shared_ptr<const RuleSet>> readRuleFolder(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return makeError(ErrorCode::InvalidInput, "rule folder '" + folder.string() + "' is not a folder");
  }
  std::vector<RuleFile> rules;
  std::vector<RuleFile> tests;
  for (const std::string& name : luaFiles(folder)) {
    std::ifstream in(folder / name, std::ios::binary);
    if (!in) return makeError(ErrorCode::InvalidInput, name + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    (isTestFile(name) ? tests : rules).push_back({name, text.str()});
  }
  if (rules.empty()) {
    return makeError(ErrorCode::InvalidInput,
                     "rule folder '" + folder.string() + "' holds no rule file (*.lua)");
  }
  return makeRuleSet(std::move(rules), std::move(tests), folder);
}

std::string folderFingerprint(const std::filesystem::path& folder) {
  std::string out;
  std::error_code ec;
  for (const std::string& name : luaFiles(folder)) {
    const auto path = folder / name;
    const auto size = std::filesystem::file_size(path, ec);
    const auto time = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
    out += name + ":" + std::to_string(size) + ":" + std::to_string(time) + ";";
  }
  return out;
}

}  // namespace sundial::rules
