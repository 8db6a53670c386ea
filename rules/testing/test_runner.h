#pragma once
// Runs admins' test cases against a rule set and a roster and reports each case's outcome:
// what `sundial rules test` prints and what a reload must pass before it goes live.

#include <memory>
#include <string>
#include <vector>

#include "rules/api/roster.h"
#include "rules/engine/rule_set.h"
#include "rules/testing/test_case.h"

namespace sundial::rules {

struct CaseResult {
  std::string file;
  std::string name;
  bool passed = false;
  std::vector<std::string> mismatches;  // "reader: expected dr_a, got dr_b"
  std::string decided;                  // a one-line summary of the decision
};

struct TestReport {
  std::vector<CaseResult> cases;
  int passed = 0;
  int failed = 0;
  bool ok() const { return failed == 0; }
  // "PASS file: name" / "FAIL file: name\n    reader: expected ..., got ..." and a summary line.
  std::string describe() const;
};

TestReport runTestCases(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const Roster> roster,
                        const std::vector<TestCase>& cases);

// Reads the set's cases and runs them; an unreadable case file is an error.
[[nodiscard]] Result<TestReport> runRuleTests(std::shared_ptr<const RuleSet> rules,
                                              std::shared_ptr<const Roster> roster);

}  // namespace sundial::rules
