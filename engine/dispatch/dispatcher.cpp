#include "engine/dispatch/dispatcher.h"

#include <algorithm>
#include <set>
#include <thread>

#include "engine/dispatch/decision_input_builder.h"
#include "engine/dispatch/reader_picker.h"
#include "engine/dispatch/task_summaries.h"
#include "engine/domain/log.h"
#include "rules/api/decision_json.h"
#include "rules/engine/safety_check.h"

namespace sundial::engine {
namespace {

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

Dispatcher::Dispatcher(std::shared_ptr<const config::Config> config, DispatcherParts parts,
                       const Clock& clock, Metrics& metrics, DispatcherOptions options)
    : config_(std::move(config)),
      parts_(parts),
      clock_(clock),
      options_(options),
      dispatched_(metrics.counter("sundial_dispatch_decisions_total",
                                  "Studies given a routing decision and a read task")),
      fallbacks_(metrics.counter("sundial_dispatch_fallbacks_total",
                                 "Decisions that fell back to the fallback pool")),
      redispatched_(metrics.counter("sundial_dispatch_redispatched_total",
                                    "Tasks re-dispatched (unclaimed, reader offline or off "
                                    "shift, escalated)")) {}

void Dispatcher::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    if (runOnce() == 0) std::this_thread::sleep_for(options_.idle_wait);
  }
}

void Dispatcher::shareSweepsThrough(ClusterLease& lease, std::string node) {
  sweep_lease_ = &lease;
  node_ = std::move(node);
}

int Dispatcher::runOnce() {
  const UtcTime now = clock_.utcNow();
  if (!next_sweep_ || now >= *next_sweep_) {
    // Another node holding the lease swept (or sweeps) for this interval.
    auto mine = sweep_lease_ ? sweep_lease_->tryTake("dispatch-sweep", node_,
                                                     options_.sweep_interval)
                             : Result<bool>(true);
    if (mine && mine.value()) sweepAssignedTasks();
    next_sweep_ = now + options_.sweep_interval;
  }
  auto taken = parts_.queue.take(now, options_.lease, options_.batch);
  if (!taken) {
    log::warn("dispatch_queue_unavailable", {{"reason", taken.error().describe()}});
    return 0;
  }
  for (const std::string& uid : taken.value()) dispatchStudy(uid);
  return static_cast<int>(taken.value().size());
}

DispatchOutcome Dispatcher::dispatchStudy(const std::string& study_uid) {
  const UtcTime now = clock_.utcNow();
  const std::string masked(log::identifying(study_uid));
  auto facts_result = parts_.studies.studyFacts(study_uid);
  if (!facts_result) {
    if (facts_result.error().code == ErrorCode::NotFound) {
      (void)parts_.queue.done(study_uid);  // forgotten by retention: nothing left to read
      return DispatchOutcome::Skipped;
    }
    log::warn("dispatch_failed", {{"study_uid", masked},
                                  {"reason", facts_result.error().describe()}});
    return DispatchOutcome::Failed;
  }
  const StudyFacts& facts = facts_result.value();
  if (!facts.complete) {  // receiving again (late instances): decide once it is complete
    (void)parts_.queue.postpone(study_uid, now + options_.reopened_retry);
    return DispatchOutcome::Waiting;
  }

  auto link_result = parts_.orders.orderForStudy(study_uid);
  if (!link_result) {
    log::warn("dispatch_failed", {{"study_uid", masked},
                                  {"reason", link_result.error().describe()}});
    return DispatchOutcome::Failed;
  }
  std::optional<OrderLink> link = link_result.value();
  if (!link) {
    const UtcTime wait_until = facts.completed_at + config_->matching.unmatched_after;
    if (now < wait_until) {
      (void)parts_.queue.postpone(study_uid, wait_until);
      return DispatchOutcome::Waiting;
    }
    if (auto listed = parts_.orders.markUnmatched(study_uid); !listed) {
      log::warn("dispatch_exception_list_failed", {{"study_uid", masked},
                                                   {"reason", listed.error().describe()}});
    }
  }
  if (link && link->cancelled) {
    if (!route(study_uid, {})) return DispatchOutcome::Failed;
    (void)parts_.queue.done(study_uid);
    AuditRecord record;
    record.action = "dispatch.skipped";
    record.actor = "engine";
    record.site = facts.site;
    record.study_uid = study_uid;
    record.patient_id = facts.patient_id;
    record.accession_number = link->order.accession_number;
    record.details["reason"] = "the order was cancelled";
    parts_.audit.record(std::move(record));
    return DispatchOutcome::Skipped;
  }

  // An open task for this study means a re-dispatch (unclaimed, offline reader, escalation).
  auto existing_id = parts_.tasks.findForReport(facts.site, "", study_uid);
  if (!existing_id) {
    log::warn("dispatch_failed", {{"study_uid", masked},
                                  {"reason", existing_id.error().describe()}});
    return DispatchOutcome::Failed;
  }
  std::optional<worklist::Task> existing;
  if (existing_id.value()) {
    auto task = parts_.tasks.get(*existing_id.value());
    if (!task) return DispatchOutcome::Failed;
    if (!worklist::isAwaitingReport(task->state) || !task->claimed_by.empty()) {
      // Reported, closed or in a reader's hands: leave it.
      if (!route(study_uid, {})) return DispatchOutcome::Failed;
      (void)parts_.queue.done(study_uid);
      return DispatchOutcome::Skipped;
    }
    existing = task.value();
  }

  std::shared_ptr<const rules::Roster> roster = parts_.rules.roster();
  std::vector<std::string> reader_ids;
  for (std::size_t index : roster->readersAt(facts.site)) {
    reader_ids.push_back(roster->readers[index].id);
  }
  for (const rules::PoolProfile& pool : roster->pools) {
    for (std::size_t index : roster->membersOf(pool.name)) {
      if (!contains(reader_ids, roster->readers[index].id)) {
        reader_ids.push_back(roster->readers[index].id);
      }
    }
  }
  auto loads = parts_.presence.load(reader_ids, now);
  if (!loads) {
    log::warn("dispatch_failed", {{"study_uid", masked}, {"reason", loads.error().describe()}});
    return DispatchOutcome::Failed;
  }
  auto excluded = parts_.queue.exclusions(study_uid);
  if (!excluded) return DispatchOutcome::Failed;

  rules::DecisionInput input = buildDecisionInput(facts, link, loads.value(), now, ++sequence_);
  // A reader excluded for this study (left it unclaimed, went away) counts as offline: the
  // safety check then refuses them whatever a rule says.
  for (const std::string& reader : excluded.value()) input.readers[reader].online = false;

  rules::DecisionRecord record = parts_.rules.decide(input);
  const rules::Decision& decision = record.decision;
  if (record.fallback) fallbacks_.add();

  Applied applied;
  applied.reader = decision.reader;
  applied.pool = decision.pool;
  applied.reasons = decision.reasons;
  const rules::PoolProfile* pool = roster->findPool(applied.pool);
  if (!decision.hold && applied.reader.empty() && pool && !pool->pull) {
    if (auto picked = pickLeastLoaded(record.eligible, *roster, input)) {
      applied.reader = *picked;
      applied.reasons.push_back("push pool " + pool->name + ": least loaded eligible reader");
    } else {
      applied.reasons.push_back("push pool " + pool->name + ": no eligible reader now");
    }
  }
  if (!decision.hold) {
    if (auto together = readerWithPatientsOtherStudy(facts, input, study_uid)) {
      if (*together != applied.reader) {
        applied.reader = *together;
        applied.reasons.push_back("kept with the reader of the patient's other unread study");
      }
    }
  }

  std::vector<std::string> destinations = decision.destinations;
  if (!applied.reader.empty()) {
    const rules::ReaderProfile* profile = roster->findReader(applied.reader);
    if (profile && !profile->destination.empty() && !contains(destinations, profile->destination)) {
      destinations.push_back(profile->destination);
    }
  }
  if (!route(study_uid, destinations)) return DispatchOutcome::Failed;

  auto decision_id = parts_.decisions.append(
      study_uid, existing ? existing->id : "", rules::decisionToJson(input, record));
  if (!decision_id) {
    log::warn("dispatch_failed", {{"study_uid", masked},
                                  {"reason", decision_id.error().describe()}});
    return DispatchOutcome::Failed;
  }

  std::string task_id;
  if (existing) {
    task_id = existing->id;
    worklist::TaskCommand command;
    std::string why = "re-dispatched: " + joined(applied.reasons, "; ");
    if (!applied.reader.empty()) {
      command = worklist::command::Assign{applied.reader, why};
    } else {
      command = worklist::command::ReturnToPool{applied.pool, why};
    }
    auto changed = parts_.tasks.apply(task_id, command, "dispatcher");
    if (!changed) {
      log::warn("dispatch_reassign_refused", {{"task", task_id},
                                              {"reason", changed.error().describe()}});
    }
    redispatched_.add();
  } else {
    worklist::NewTask request;
    request.study_uids = {study_uid};
    request.site = facts.site;
    request.modality = facts.modality;
    request.priority = decision.priority;
    request.due = decision.due;
    request.reader = applied.reader;
    request.pool = applied.pool;
    request.order = orderSummary(link, facts);
    request.patient = patientSummary(link, facts, now);
    if (link) request.ordered = link->order.ordered_at;
    request.first_image = facts.first_received_at;
    request.study_complete = facts.completed_at;
    request.tags = decision.tags;
    if (decision.hold) request.tags.push_back("hold");
    if (!link) request.tags.push_back("no_order");
    request.decision_id = decision_id.value();
    auto created = parts_.tasks.create(request, "dispatcher");
    if (!created) {
      if (created.error().code != ErrorCode::Duplicate) {
        log::warn("dispatch_failed", {{"study_uid", masked},
                                      {"reason", created.error().describe()}});
        return DispatchOutcome::Failed;
      }
      task_id = created.error().context;  // created before a crash: the decision stands
    } else {
      task_id = created->id;
    }
  }
  if (auto done = parts_.queue.done(study_uid); !done) {
    log::warn("dispatch_done_failed", {{"study_uid", masked}, {"reason", done.error().describe()}});
  }
  dispatched_.add();
  auditDecision(facts, record, applied, task_id, decision_id.value());
  log::info("study_dispatched", {{"study_uid", masked},
                                 {"site", facts.site},
                                 {"task", task_id},
                                 {"reader", applied.reader},
                                 {"pool", applied.pool},
                                 {"priority", std::string(orderPriorityName(decision.priority))},
                                 {"decided_by", record.decided_by},
                                 {"fallback", record.fallback ? "yes" : "no"}});
  return DispatchOutcome::Dispatched;
}

bool Dispatcher::route(const std::string& study_uid,
                       const std::vector<std::string>& destinations) {
  auto routed = parts_.studies.routeStudy(study_uid, destinations);
  if (!routed) {
    if (routed.error().code == ErrorCode::NotFound) return true;  // forgotten meanwhile
    log::warn("dispatch_failed", {{"study_uid", std::string(log::identifying(study_uid))},
                                  {"reason", routed.error().describe()}});
    return false;
  }
  for (const std::string& file : routed->unneeded_files) {
    if (auto removed = parts_.spool.remove(file); !removed) {
      log::warn("spool_remove_failed", {{"reason", removed.error().describe()}});
    }
  }
  return true;
}

// The reader holding (assigned, not yet reported) another study of the same patient at the
// same site, when that reader may read this one too.
std::optional<std::string> Dispatcher::readerWithPatientsOtherStudy(
    const StudyFacts& facts, const rules::DecisionInput& input, const std::string& study_uid) {
  if (facts.patient_id.empty()) return std::nullopt;
  worklist::TaskFilter filter;
  filter.sites = {facts.site};
  filter.states = {worklist::TaskState::Assigned, worklist::TaskState::Claimed};
  auto open = parts_.tasks.list(filter);
  if (!open) return std::nullopt;
  std::shared_ptr<const rules::Roster> roster = parts_.rules.roster();
  const rules::SiteProfile* site = roster->findSite(facts.site);
  if (!site) return std::nullopt;
  for (const worklist::Task& task : open.value()) {
    if (task.patient.patient_id != facts.patient_id || contains(task.study_uids, study_uid)) {
      continue;
    }
    const std::string& holder = task.holder();
    const rules::ReaderProfile* reader = roster->findReader(holder);
    if (reader && rules::isEligible(*reader, *site, input)) return holder;
  }
  return std::nullopt;
}

void Dispatcher::auditDecision(const StudyFacts& facts, const rules::DecisionRecord& record,
                               const Applied& applied, const std::string& task_id,
                               const std::string& decision_id) {
  AuditRecord audit;
  audit.action = "rule.decision";
  audit.actor = "engine";
  audit.outcome = record.fallback ? "fallback" : "success";
  audit.site = facts.site;
  audit.study_uid = facts.study_uid;
  audit.patient_id = facts.patient_id;
  audit.accession_number = facts.accession_number;
  audit.details["task"] = task_id;
  audit.details["decision_id"] = decision_id;
  audit.details["rule_set_version"] = record.rule_set_version;
  audit.details["roster_version"] = record.roster_version;
  audit.details["decided_by"] = record.decided_by;
  audit.details["priority"] = std::string(orderPriorityName(record.decision.priority));
  audit.details["reader"] = applied.reader;
  audit.details["pool"] = applied.pool;
  audit.details["reasons"] = joined(applied.reasons, "; ");
  if (record.fallback) audit.details["fallback_reason"] = record.fallback_reason;
  audit.details["eligible"] = joined(record.eligible, ",");
  std::vector<std::string> rejected;
  for (const auto& rejection : record.rejected) {
    rejected.push_back(rejection.reader + ":" + std::string(rules::constraintName(rejection.constraint)) +
                       " (" + rejection.detail + ")");
  }
  audit.details["rejected"] = joined(rejected, "; ");
  parts_.audit.record(std::move(audit));
}

void Dispatcher::sweepAssignedTasks() {
  const UtcTime now = clock_.utcNow();
  worklist::TaskFilter filter;
  filter.states = {worklist::TaskState::Assigned};
  filter.limit = 1000;
  auto assigned = parts_.tasks.list(filter);
  if (!assigned) return;
  std::vector<std::string> holders;
  for (const auto& task : assigned.value()) {
    if (!task.assigned_reader.empty() && !contains(holders, task.assigned_reader)) {
      holders.push_back(task.assigned_reader);
    }
  }
  if (holders.empty()) return;
  auto loads = parts_.presence.load(holders, now);
  if (!loads) return;
  std::set<std::string> online;
  for (const auto& load : loads.value()) {
    if (load.online) online.insert(load.reader);
  }
  std::shared_ptr<const rules::Roster> roster = parts_.rules.roster();
  for (const auto& task : assigned.value()) {
    if (task.assigned_reader.empty() || task.study_uids.empty()) continue;
    const rules::ReaderProfile* reader = roster->findReader(task.assigned_reader);
    std::string why;
    if (task.times.assigned != UtcTime{} &&
        now - task.times.assigned >= options_.unclaimed_reassign_after) {
      why = "not claimed in time";
    } else if (!online.count(task.assigned_reader)) {
      why = "reader offline";
    } else if (reader && !reader->onShiftAt(now)) {
      why = "reader off shift";
    }
    if (why.empty()) continue;
    const std::string& study = task.study_uids.front();
    if (!parts_.queue.exclude(study, task.assigned_reader) || !parts_.queue.requeue(study, now)) {
      continue;
    }
    log::info("task_redispatch", {{"task", task.id}, {"reader", task.assigned_reader},
                                  {"why", why}});
  }
}

}  // namespace sundial::engine
