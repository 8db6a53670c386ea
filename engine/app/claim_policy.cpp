#include "engine/app/claim_policy.h"

#include "rules/engine/safety_check.h"

namespace sundial::app {
namespace {

ClaimRefusal refusal(rules::Constraint constraint, const rules::SiteProfile& site,
                     const worklist::Task& task) {
  const std::string code(rules::constraintName(constraint));
  switch (constraint) {
    case rules::Constraint::Licence:
      return {code, "no licence for " + site.state + ", the state of site " + site.name};
    case rules::Constraint::Credential:
      return {code, "not credentialed at site " + site.name};
    case rules::Constraint::Modality:
      return {code, "does not read " + (task.modality.empty() ? "this modality" : task.modality)};
    default:
      return {code, "not eligible to read this study"};
  }
}

}  // namespace

std::optional<ClaimRefusal> ClaimPolicy::check(const worklist::Task& task,
                                               const std::string& reader) const {
  // The reader's own task (pushed to them, or a repeated claim that renews the lease).
  if (task.assigned_reader == reader || task.claimed_by == reader) return std::nullopt;
  // Pushed to someone else: the life cycle refuses it as a conflict (409) naming the holder.
  if (!task.assigned_reader.empty()) return std::nullopt;
  if (!roster_) return ClaimRefusal{"no_roster", "the roster could not be loaded: no claims from pools"};
  if (roster_->readers.empty()) return std::nullopt;

  const rules::PoolProfile* pool = roster_->findPool(task.pool);
  if (pool == nullptr) {
    return ClaimRefusal{"unknown_pool", task.pool.empty()
                                            ? "the task is in no pool readers claim from"
                                            : "pool " + task.pool + " is not a configured pool"};
  }
  if (!pool->pull) {
    return ClaimRefusal{"push_pool", "pool " + pool->name +
                                         " is a push pool: the dispatcher assigns its tasks"};
  }
  const rules::ReaderProfile* profile = roster_->findReader(reader);
  if (profile == nullptr) return ClaimRefusal{"unknown_reader", "reader " + reader + " is not on the roster"};
  if (!profile->inPool(pool->name)) {
    return ClaimRefusal{"not_in_pool", "reader " + reader + " is not a member of pool " + pool->name};
  }
  const rules::SiteProfile* site = roster_->findSite(task.site);
  if (site == nullptr) return ClaimRefusal{"unknown_site", "site " + task.site + " is not configured"};
  if (auto failed = rules::firstFailedStandingConstraint(*profile, *site, task.modality)) {
    return refusal(*failed, *site, task);
  }
  return std::nullopt;
}

bool ClaimPolicy::mayClaimFromPool(const worklist::Task& task, const std::string& reader) const {
  if (task.state != worklist::TaskState::Queued && task.state != worklist::TaskState::Escalated) {
    return false;
  }
  return !check(task, reader).has_value();
}

}  // namespace sundial::app
