#pragma once
// RuleWorker: one sandbox loaded with one rule set's files, plus the sundial.* helpers that read
// the decision being made. Asks the rule files in name order; the first whose route(f) returns
// something other than nil answers.
//
// Thread: belongs to one thread at a time (RuleEngine lends workers from a pool); not shareable.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/domain/result.h"
#include "rules/api/input.h"
#include "rules/api/roster.h"
#include "rules/engine/candidate_checks.h"
#include "rules/engine/rule_set.h"
#include "rules/sandbox/sandbox.h"

namespace sundial::rules {

struct RuleLimits {
  std::uint64_t instructions = 1'000'000;  // one decision, every file asked
  std::chrono::milliseconds wall_time{20};
  std::size_t memory_bytes = std::size_t{8} << 20;
};

class RuleWorker {
 public:
  struct Answer {
    std::string file;  // empty when no file answered
    Value value;
  };

  [[nodiscard]] static Result<std::unique_ptr<RuleWorker>> create(
      std::shared_ptr<const RuleSet> rules, RuleLimits limits);
  // Loads every rule file in a scratch sandbox: RuleFailed "file:line: reason" for the first that
  // does not compile, raises while loading or declares no route(f).
  [[nodiscard]] static Result<void> compileCheck(const RuleSet& rules);
  // Runs a test file (it declares `cases`) and returns that value.
  [[nodiscard]] static Result<Value> readTestCases(const RuleFile& file);

  const RuleSet& rules() const { return *rules_; }
  std::size_t memoryInUse() const { return sandbox_->memoryInUse(); }

  // Asks the files for the decision `checks` is about (its roster, site and input); the helpers
  // answer eligibility from `checks`, so the caller can reuse the same answers for the record.
  // The facts are converted to Lua once and shared by every file asked.
  // Errors: the sandbox's (RuleFailed with file:line, ResourceExhausted, Timeout).
  [[nodiscard]] Result<Answer> route(CandidateChecks& checks);

 private:
  RuleWorker(std::shared_ptr<const RuleSet> rules) : rules_(std::move(rules)) {}
  std::vector<HostFunction> hostFunctions();

  // The decision being made, for the helpers; set only during route().
  struct Context {
    const Roster* roster = nullptr;
    const SiteProfile* site = nullptr;
    const DecisionInput* input = nullptr;
    CandidateChecks* checks = nullptr;
  };

  std::shared_ptr<const RuleSet> rules_;
  std::unique_ptr<Sandbox> sandbox_;
  Context context_;
};

}  // namespace sundial::rules
