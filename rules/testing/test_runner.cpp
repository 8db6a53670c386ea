#include "rules/testing/test_runner.h"

#include <algorithm>
#include <set>

#include "rules/engine/rule_engine.h"

namespace sundial::rules {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "}";
}

std::string orNone(const std::string& text) { return text.empty() ? "(none)" : text; }

std::string summary(const DecisionRecord& r) {
  std::string out = r.decision.reader.empty() ? "pool " + r.decision.pool : "reader " + r.decision.reader;
  out += ", " + std::string(orderPriorityName(r.decision.priority));
  out += ", destinations " + joined(r.decision.destinations);
  out += ", by " + r.decided_by;
  if (r.fallback) out += " (" + r.fallback_reason + ")";
  return out;
}

std::vector<std::string> compare(const Expectation& x, const DecisionRecord& r) {
  std::vector<std::string> out;
  auto expectText = [&](const char* what, const std::optional<std::string>& expected,
                        const std::string& got) {
    if (expected && *expected != got) {
      out.push_back(std::string(what) + ": expected " + orNone(*expected) + ", got " + orNone(got));
    }
  };
  auto expectSet = [&](const char* what, const std::optional<std::vector<std::string>>& expected,
                       const std::vector<std::string>& got) {
    if (!expected) return;
    if (std::set<std::string>(expected->begin(), expected->end()) !=
        std::set<std::string>(got.begin(), got.end())) {
      out.push_back(std::string(what) + ": expected " + joined(*expected) + ", got " + joined(got));
    }
  };
  expectText("reader", x.reader, r.decision.reader);
  expectText("pool", x.pool, r.decision.pool);
  if (x.priority && *x.priority != r.decision.priority) {
    out.push_back("priority: expected " + std::string(orderPriorityName(*x.priority)) + ", got " +
                  std::string(orderPriorityName(r.decision.priority)));
  }
  expectSet("destinations", x.destinations, r.decision.destinations);
  if (x.fallback && *x.fallback != r.fallback) {
    out.push_back(std::string("fallback: expected ") + (*x.fallback ? "true" : "false") + ", got " +
                  (r.fallback ? "true (" + r.fallback_reason + ")" : "false"));
  }
  expectText("decided_by", x.decided_by, r.decided_by);
  for (const std::string& tag : x.tags) {
    if (std::find(r.decision.tags.begin(), r.decision.tags.end(), tag) == r.decision.tags.end()) {
      out.push_back("tags: expected " + tag + " among " + joined(r.decision.tags));
    }
  }
  if (x.hold && *x.hold != r.decision.hold) {
    out.push_back(std::string("hold: expected ") + (*x.hold ? "true" : "false"));
  }
  expectSet("eligible", x.eligible, r.eligible);
  for (const auto& [reader, constraint] : x.rejected) {
    auto found = std::find_if(r.rejected.begin(), r.rejected.end(),
                              [&](const Rejection& j) { return j.reader == reader; });
    if (found == r.rejected.end()) {
      out.push_back("rejected: expected " + reader + " rejected for " + constraint + ", not rejected");
    } else if (constraintName(found->constraint) != constraint) {
      out.push_back("rejected: expected " + reader + " rejected for " + constraint + ", got " +
                    std::string(constraintName(found->constraint)) + " (" + found->detail + ")");
    }
  }
  return out;
}

}  // namespace

std::string TestReport::describe() const {
  std::string out;
  for (const CaseResult& c : cases) {
    out += (c.passed ? "PASS " : "FAIL ") + c.file + ": " + c.name + "\n";
    if (c.passed) continue;
    for (const std::string& m : c.mismatches) out += "    " + m + "\n";
    out += "    decided: " + c.decided + "\n";
  }
  out += std::to_string(passed) + " passed, " + std::to_string(failed) + " failed\n";
  return out;
}

TestReport runTestCases(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const Roster> roster,
                        const std::vector<TestCase>& cases) {
  RuleEngineOptions options;
  options.log_fallbacks = false;  // a case expecting a fallback is not a warning
  RuleEngine engine(std::move(roster), std::move(rules), options);
  TestReport report;
  for (const TestCase& c : cases) {
    const DecisionRecord record = engine.decide(c.input);
    CaseResult result{c.file, c.name, false, compare(c.expect, record), summary(record)};
    result.passed = result.mismatches.empty();
    ++(result.passed ? report.passed : report.failed);
    report.cases.push_back(std::move(result));
  }
  return report;
}

Result<TestReport> runRuleTests(std::shared_ptr<const RuleSet> rules,
                                std::shared_ptr<const Roster> roster) {
  auto cases = readTestCases(*rules, *roster);
  if (!cases.ok()) return cases.error();
  return runTestCases(std::move(rules), std::move(roster), cases.value());
}

}  // namespace sundial::rules
