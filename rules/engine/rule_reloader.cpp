#include "rules/engine/rule_reloader.h"

#include <algorithm>

#include "engine/domain/log.h"
#include "rules/testing/test_runner.h"

namespace sundial::rules {

RuleReloader::RuleReloader(RuleEngine& engine, std::filesystem::path folder,
                           std::chrono::milliseconds interval)
    : engine_(engine), folder_(std::move(folder)), interval_(interval) {
  // The set the engine started with came from this folder: no reload until it changes.
  seen_fingerprint_ = folderFingerprint(folder_);
}

RuleReloader::~RuleReloader() { stop(); }

void RuleReloader::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void RuleReloader::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RuleReloader::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    (void)checkNow();  // outcomes are logged and alerted inside
    lock.lock();
  }
}

Result<bool> RuleReloader::checkNow() {
  const std::string fingerprint = folderFingerprint(folder_);
  if (fingerprint == seen_fingerprint_) return false;
  seen_fingerprint_ = fingerprint;
  const auto running = engine_.rules();
  auto refuse = [&](const Error& error) -> Result<bool> {
    log::error("rules.reload_refused",
               {{"folder", folder_.string()},
                {"running", std::string_view(running->version).substr(0, 12)},
                {"reason", error.message}});
    engine_.alert(RuleAlert{"reload_refused", error.message, running->version, {}});
    return error;
  };
  auto set = readRuleFolder(folder_);
  if (!set.ok()) return refuse(set.error());
  const auto sameFiles = [](const std::vector<RuleFile>& a, const std::vector<RuleFile>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const RuleFile& x, const RuleFile& y) {
      return x.name == y.name && x.source == y.source;
    });
  };
  if (set.value()->version == running->version && sameFiles(set.value()->tests, running->tests)) {
    return false;  // touched, not changed
  }
  auto report = runRuleTests(set.value(), engine_.roster());
  if (!report.ok()) return refuse(report.error());
  if (!report.value().ok()) {
    std::string failures;
    for (const CaseResult& c : report.value().cases) {
      if (c.passed) continue;
      failures += (failures.empty() ? "" : "; ") + c.file + ": " + c.name + ": " +
                  (c.mismatches.empty() ? "" : c.mismatches.front());
    }
    return refuse(makeError(ErrorCode::RuleFailed,
                            std::to_string(report.value().failed) + " test case(s) fail: " + failures));
  }
  engine_.install(set.value());
  log::info("rules.reloaded", {{"folder", folder_.string()},
                               {"version", std::string_view(set.value()->version).substr(0, 12)},
                               {"previous", std::string_view(running->version).substr(0, 12)},
                               {"cases_passed", std::to_string(report.value().passed)}});
  return true;
}

}  // namespace sundial::rules
