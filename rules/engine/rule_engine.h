#pragma once
// RuleEngine: the thread-safe handle the dispatcher calls — decide(input) -> DecisionRecord.
// Asks the running rule set, checks the answer's shape and the hard safety constraints, and
// falls back to the configured fallback pool (with an alert) when a rule fails, times out,
// returns nonsense or names a reader who may not read the study. It never fails: every study
// gets a decision.
//
// The rule set and the roster are immutable snapshots swapped atomically (install, setRoster);
// a decision in flight finishes with the snapshot it started with. Lua states are pooled: a
// decide() borrows one (made on first need, rebuilt when the rule set changed), so several
// threads decide at once, each in its own state.
//
// Thread: every method is safe from any thread. on_alert runs on the deciding thread.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rules/api/decision.h"
#include "rules/api/input.h"
#include "rules/api/roster.h"
#include "rules/engine/rule_set.h"
#include "rules/engine/rule_worker.h"

namespace sundial::rules {

struct RuleAlert {
  std::string kind;     // "fallback" (a decision fell back), "reload_refused"
  std::string message;  // why, with file:line where known
  std::string rule_set_version;
  std::string site;
};

struct RuleEngineOptions {
  RuleLimits limits;
  std::function<void(const RuleAlert&)> on_alert;  // quick; must not call back into the engine
  bool log_fallbacks = true;                       // a warn line per fallback (off in benches)
};

class RuleEngine {
 public:
  RuleEngine(std::shared_ptr<const Roster> roster, std::shared_ptr<const RuleSet> rules,
             RuleEngineOptions options = {});

  DecisionRecord decide(const DecisionInput& input);

  // Swaps in a new rule set (already compiled by readRuleFolder/makeRuleSet; the caller has run
  // its tests). Decisions after this return use it.
  void install(std::shared_ptr<const RuleSet> rules);
  void setRoster(std::shared_ptr<const Roster> roster);
  std::shared_ptr<const RuleSet> rules() const;
  std::shared_ptr<const Roster> roster() const;
  const RuleEngineOptions& options() const { return options_; }

  // Raises an alert through on_alert (used by the reloader too).
  void alert(const RuleAlert& alert) const;
  // Bytes held by one prepared Lua state of the running set (for the benchmark).
  std::size_t stateMemoryBytes();

 private:
  struct Snapshot {
    std::shared_ptr<const RuleSet> rules;
    std::shared_ptr<const Roster> roster;
  };
  Snapshot snapshot() const;
  Result<std::unique_ptr<RuleWorker>> borrow(const std::shared_ptr<const RuleSet>& rules);
  void giveBack(std::unique_ptr<RuleWorker> worker);

  RuleEngineOptions options_;
  mutable std::mutex snapshot_mutex_;  // guards snapshot_ (copied out, never used under lock)
  Snapshot snapshot_;
  std::mutex pool_mutex_;  // guards idle_
  std::vector<std::unique_ptr<RuleWorker>> idle_;
};

// The decision applied when rules cannot decide: the fallback pool, the order's priority, the
// site's destinations, `reason` in the reasons. Fills eligible/rejected for the fallback pool.
DecisionRecord fallbackDecision(const Roster& roster, const SiteProfile* site,
                                const DecisionInput& input, std::string reason);

}  // namespace sundial::rules
