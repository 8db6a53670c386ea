#include "rules/engine/rule_engine.h"

#include <algorithm>

#include "engine/domain/log.h"
#include "rules/engine/candidate_checks.h"
#include "rules/engine/decision_reader.h"
#include "rules/engine/safety_check.h"

namespace sundial::rules {
namespace {

void addUnique(std::vector<std::string>& list, const std::string& item) {
  if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// Checks the readers credentialed at the site and the members of `pool`: rejected ones go to
// record.rejected (first failing constraint each); eligible pool members to record.eligible.
// The answers come from `checks`: a reader the rule's helpers already checked is not checked
// again.
void checkCandidates(CandidateChecks& checks, const std::string& pool, const std::string& chosen,
                     DecisionRecord& record) {
  const Roster& roster = checks.roster();
  const std::vector<std::size_t>& at_site = roster.readersAt(checks.site().name);
  static const std::vector<std::size_t> kNoPool;
  const std::vector<std::size_t>& members = pool.empty() ? kNoPool : roster.membersOf(pool);
  std::vector<bool> seen(roster.readers.size(), false);
  record.rejected.reserve(record.rejected.size() + at_site.size() + members.size());
  auto visit = [&](std::size_t index) {
    if (seen[index]) return;
    seen[index] = true;
    const ReaderProfile& reader = roster.readers[index];
    if (reader.id == chosen) return;  // checked by the caller
    auto rejection = checks.rejection(index);
    if (rejection) {
      record.rejected.push_back(std::move(*rejection));
    } else if (!pool.empty() && reader.inPool(pool)) {
      record.eligible.push_back(reader.id);
    }
  };
  for (std::size_t index : members) visit(index);
  for (std::size_t index : at_site) visit(index);
}

}  // namespace

DecisionRecord fallbackDecision(const Roster& roster, const SiteProfile* site,
                                const DecisionInput& input, std::string reason) {
  DecisionRecord record;
  record.roster_version = roster.version();
  record.decided_by = "fallback";
  record.fallback = true;
  Decision& decision = record.decision;
  decision.priority = input.order.present ? input.order.priority : OrderPriority::Routine;
  decision.pool = roster.fallback_pool;
  decision.tags.push_back("fallback");
  decision.reasons.push_back(reason);
  record.fallback_reason = std::move(reason);
  if (site != nullptr) {
    decision.destinations = site->destinations;
    CandidateChecks checks(roster, *site, input);
    checkCandidates(checks, decision.pool, {}, record);
  }
  return record;
}

RuleEngine::RuleEngine(std::shared_ptr<const Roster> roster, std::shared_ptr<const RuleSet> rules,
                       RuleEngineOptions options)
    : options_(std::move(options)), snapshot_{std::move(rules), std::move(roster)} {}

RuleEngine::Snapshot RuleEngine::snapshot() const {
  std::lock_guard lock(snapshot_mutex_);
  return snapshot_;
}

void RuleEngine::install(std::shared_ptr<const RuleSet> rules) {
  std::lock_guard lock(snapshot_mutex_);
  snapshot_.rules = std::move(rules);
}

void RuleEngine::setRoster(std::shared_ptr<const Roster> roster) {
  std::lock_guard lock(snapshot_mutex_);
  snapshot_.roster = std::move(roster);
}

std::shared_ptr<const RuleSet> RuleEngine::rules() const { return snapshot().rules; }
std::shared_ptr<const Roster> RuleEngine::roster() const { return snapshot().roster; }

void RuleEngine::alert(const RuleAlert& alert) const {
  if (options_.on_alert) options_.on_alert(alert);
}

Result<std::unique_ptr<RuleWorker>> RuleEngine::borrow(const std::shared_ptr<const RuleSet>& rules) {
  {
    std::lock_guard lock(pool_mutex_);
    while (!idle_.empty()) {
      std::unique_ptr<RuleWorker> worker = std::move(idle_.back());
      idle_.pop_back();
      // A worker of an older set is dropped; its state is rebuilt below, outside the lock.
      if (&worker->rules() == rules.get()) return worker;
    }
  }
  return RuleWorker::create(rules, options_.limits);
}

void RuleEngine::giveBack(std::unique_ptr<RuleWorker> worker) {
  std::lock_guard lock(pool_mutex_);
  idle_.push_back(std::move(worker));
}

std::size_t RuleEngine::stateMemoryBytes() {
  auto worker = borrow(snapshot().rules);
  if (!worker.ok()) return 0;
  const std::size_t bytes = worker.value()->memoryInUse();
  giveBack(std::move(worker.value()));
  return bytes;
}

DecisionRecord RuleEngine::decide(const DecisionInput& input) {
  const Snapshot snap = snapshot();
  const Roster& roster = *snap.roster;
  const SiteProfile* site = roster.findSite(input.study.site);
  auto fallBack = [&](std::string reason, std::vector<Rejection> rejected = {}) {
    DecisionRecord record = fallbackDecision(roster, site, input, reason);
    record.rule_set_version = snap.rules->version;
    record.rejected.insert(record.rejected.begin(), rejected.begin(), rejected.end());
    if (options_.log_fallbacks) {
      log::warn("rules.fallback", {{"site", input.study.site},
                                   {"modality", input.study.modality},
                                   {"pool", record.decision.pool},
                                   {"rule_set", std::string_view(snap.rules->version).substr(0, 12)},
                                   {"reason", reason}});
    }
    alert(RuleAlert{"fallback", reason, snap.rules->version, input.study.site});
    return record;
  };
  if (site == nullptr) return fallBack("unknown site '" + input.study.site + "'");

  auto worker = borrow(snap.rules);
  if (!worker.ok()) return fallBack("rules could not be prepared: " + worker.error().describe());
  CandidateChecks checks(roster, *site, input);
  auto answer = worker.value()->route(checks);
  giveBack(std::move(worker.value()));
  if (!answer.ok()) return fallBack(answer.error().message);
  if (answer.value().file.empty()) return fallBack("no rule file decided (every route(f) returned nil)");

  auto decision = readDecision(answer.value().value, answer.value().file, roster, input);
  if (!decision.ok()) return fallBack(decision.error().message);

  DecisionRecord record;
  record.rule_set_version = snap.rules->version;
  record.roster_version = roster.version();
  record.decided_by = answer.value().file;
  record.decision = std::move(decision.value());
  Decision& chosen = record.decision;
  if (!chosen.reader.empty()) {
    const std::size_t index = *roster.readerIndex(chosen.reader);  // readDecision checked it
    const ReaderProfile& reader = roster.readers[index];
    if (auto rejection = checks.rejection(index)) {
      std::string reason = answer.value().file + " chose reader " + reader.id + ", refused: " +
                           std::string(constraintName(rejection->constraint)) + " (" +
                           rejection->detail + ")";
      return fallBack(std::move(reason), {std::move(*rejection)});
    }
    record.eligible.push_back(reader.id);
    addUnique(chosen.destinations, reader.destination);
  }
  checkCandidates(checks, chosen.pool, chosen.reader, record);
  return record;
}

}  // namespace sundial::rules
