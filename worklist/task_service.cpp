#include "worklist/task_service.h"

#include <algorithm>
#include <cctype>

#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace sundial::worklist {
namespace {

// A change built on a copy that another reader or node changed first is decided again on the
// fresh copy; more than this many collisions in a row means something is wrong.
constexpr int kMaxCompareAndSetTries = 8;

// Readers, sites, pools and tags end up in Redis keys and metric labels (configuration's rule).
bool isValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

Error invalid(const std::string& message) { return makeError(ErrorCode::InvalidInput, message); }

Result<void> checkRequest(const NewTask& r) {
  if (r.study_uids.empty()) return invalid("study_uids: at least one study UID is needed");
  for (const auto& uid : r.study_uids) {
    if (!isValidUid(uid)) return invalid("study_uids: '" + uid + "' is not a DICOM UID");
  }
  if (!isValidName(r.site)) return invalid("site: missing or not a valid name");
  if (r.reader.empty() && r.pool.empty()) return invalid("reader or pool: one is needed");
  if (!r.reader.empty() && !isValidName(r.reader)) return invalid("reader: not a valid name");
  if (!r.pool.empty() && !isValidName(r.pool)) return invalid("pool: not a valid name");
  for (const auto& tag : r.tags) {
    if (!isValidName(tag)) return invalid("tags: '" + tag + "' is not a valid tag (letters, digits, _ - .)");
  }
  if (r.rvu && (*r.rvu < 0 || *r.rvu > 1000)) return invalid("rvu: must be between 0 and 1000");
  return okResult();
}

}  // namespace

TaskService::TaskService(std::unique_ptr<TaskStore> store, const Clock& clock,
                         engine::AuditSink& audit, SlaPolicy sla, LifecyclePolicy lifecycle,
                         RvuTable rvus)
    : store_(std::move(store)),
      clock_(clock),
      audit_(audit),
      sla_(std::move(sla)),
      lifecycle_(lifecycle),
      rvus_(std::move(rvus)) {}

Result<Task> TaskService::buildTask(const NewTask& r, const std::string& id, UtcTime now) const {
  Task task;
  task.id = id;
  task.study_uids = r.study_uids;
  task.site = r.site;
  task.modality = r.modality;
  task.priority = r.priority;
  task.pool = r.pool;
  task.assigned_reader = r.reader;
  task.state = r.reader.empty() ? TaskState::Queued : TaskState::Assigned;
  task.order = r.order;
  task.patient = r.patient;
  task.times.ordered = r.ordered;
  task.times.first_image = r.first_image;
  task.times.study_complete = r.study_complete;
  task.times.created = now;
  if (!r.reader.empty()) task.times.assigned = now;
  task.tags = r.tags;
  task.decision_id = r.decision_id;
  task.rvu = r.rvu.value_or(rvus_.rvuFor(r.modality, r.order.procedure_code));
  const UtcTime start = SlaPolicy::clockStart(task.times);
  task.due = r.due.value_or(sla_.dueAt(r.site, r.priority, start));
  task.warn_at = sla_.warnAt(r.site, std::min(start, task.due), task.due);
  task.version = 1;
  return task;
}

Result<Task> TaskService::create(const NewTask& request, const std::string& actor) {
  if (auto ok = checkRequest(request); !ok) return ok.error();
  const UtcTime now = clock_.utcNow();
  TaskEvent event;
  Result<Task> task = makeError(ErrorCode::Internal, "not built");
  {
    std::lock_guard lock(mutex_);
    auto id = store_->newTaskId();
    if (!id) return id.error();
    task = buildTask(request, id.value(), now);
    if (!task) return task;
    event.type = std::string(kEventCreated);
    event.at = now;
    event.actor = actor;
    event.from = task->state;
    event.to = task->state;
    event.reader = task->assigned_reader;
    event.reason = task->pool.empty() ? "" : "pool " + task->pool;
    if (auto stored = store_->create(task.value(), event); !stored) return stored.error();
  }
  log::info("task_created", {{"task", task->id},
                             {"site", task->site},
                             {"priority", orderPriorityName(task->priority)},
                             {"state", taskStateName(task->state)},
                             {"actor", actor}});
  audit(task.value(), event);
  if (observer_) observer_(task.value(), event);
  return task;
}

Result<Task> TaskService::apply(const std::string& task_id, const TaskCommand& command,
                                const std::string& actor) {
  auto applied = applyChange(task_id, command, actor);
  if (!applied) return applied.error();
  return std::move(applied->task);
}

Result<TaskService::Applied> TaskService::applyChange(const std::string& task_id,
                                                      const TaskCommand& command,
                                                      const std::string& actor) {
  return applyChange(task_id, command, actor, Precondition{});
}

Result<TaskService::Applied> TaskService::applyChange(const std::string& task_id,
                                                      const TaskCommand& command,
                                                      const std::string& actor,
                                                      const Precondition& precondition) {
  Transition transition;
  {
    std::unique_lock lock(mutex_);
    bool stored_it = false;
    for (int attempt = 0; attempt < kMaxCompareAndSetTries && !stored_it; ++attempt) {
      auto before = store_->get(task_id);
      if (!before) return before.error();
      Result<Transition> decided = makeError(ErrorCode::Internal, "not decided");
      if (auto allowed = precondition ? precondition(before.value()) : okResult(); !allowed) {
        decided = allowed.error();
      } else {
        decided = applyCommand(before.value(), command, actor, clock_.utcNow(), lifecycle_);
      }
      if (!decided) {
        log::info("task_change_refused", {{"task", task_id},
                                          {"actor", actor},
                                          {"reason", decided.error().message}});
        lock.unlock();  // the audit writer is foreign: never called under the store's lock
        auditRefusal(before.value(), command, actor, decided.error());
        return decided.error();
      }
      if (!decided->changed) return Applied{std::move(before.value()), false};
      auto stored = store_->update(before.value(), decided->after, decided->event);
      if (!stored) return stored.error();
      // false: changed meanwhile by another reader or node; decide again on the fresh copy.
      stored_it = stored.value();
      if (stored_it) transition = std::move(decided.value());
    }
    if (!stored_it) {
      return makeError(ErrorCode::Unavailable, "task " + task_id + " keeps changing; try again",
                       "task " + task_id);
    }
  }
  const Task& after = transition.after;
  log::info("task_changed", {{"task", after.id},
                             {"event", transition.event.type},
                             {"from", taskStateName(transition.event.from)},
                             {"to", taskStateName(after.state)},
                             {"actor", actor}});
  audit(after, transition.event);
  if (observer_) observer_(after, transition.event);
  return Applied{after, true};
}

Result<Task> TaskService::get(const std::string& task_id) {
  std::lock_guard lock(mutex_);
  return store_->get(task_id);
}

Result<TaskWithHistory> TaskService::getWithHistory(const std::string& task_id) {
  std::lock_guard lock(mutex_);
  auto task = store_->get(task_id);
  if (!task) return task.error();
  auto history = store_->history(task_id);
  if (!history) return history.error();
  return TaskWithHistory{std::move(task.value()), std::move(history.value())};
}

Result<std::vector<Task>> TaskService::list(const TaskFilter& filter) {
  std::lock_guard lock(mutex_);
  return store_->list(filter);
}

Result<std::optional<std::string>> TaskService::findForReport(const std::string& site,
                                                              const std::string& accession,
                                                              const std::string& study_uid) {
  std::lock_guard lock(mutex_);
  if (!accession.empty()) {
    auto found = store_->findByAccession(site, accession);
    if (!found || found->has_value()) return found;
  }
  if (study_uid.empty()) return std::optional<std::string>{};
  auto found = store_->findByStudy(study_uid);
  if (!found || !found->has_value()) return found;
  // A study UID is unique, but the report must still come from the study's own site.
  auto task = store_->get(**found);
  if (!task) return task.error();
  if (task->site != site) return std::optional<std::string>{};
  return found;
}

Result<std::optional<std::string>> TaskService::findTaskForStudy(const std::string& study_uid) {
  std::lock_guard lock(mutex_);
  return store_->findByStudy(study_uid);
}

Result<std::vector<std::string>> TaskService::lapsedLeases(UtcTime now, std::size_t max) {
  std::lock_guard lock(mutex_);
  return store_->lapsedLeases(now, max);
}

Result<std::vector<DueSlaTimer>> TaskService::dueSlaTimers(UtcTime now, std::size_t max) {
  std::lock_guard lock(mutex_);
  return store_->dueSlaTimers(now, max);
}

Result<void> TaskService::forgetTimer(const std::string& task_id, SlaTimerKind kind) {
  std::lock_guard lock(mutex_);
  return store_->forgetTimer(task_id, kind);
}

Result<std::optional<UtcTime>> TaskService::nextTimer() {
  std::lock_guard lock(mutex_);
  return store_->nextTimer();
}

Result<std::vector<Task>> TaskService::deliveredBetween(UtcTime from, UtcTime to) {
  std::lock_guard lock(mutex_);
  return store_->deliveredBetween(from, to);
}

// Breaches kept for the API (sla:breaches); the full record is each task's history.
constexpr std::size_t kBreachesKept = 10'000;

Result<void> TaskService::recordBreach(const SlaBreachRecord& breach) {
  std::lock_guard lock(mutex_);
  return store_->recordBreach(breach, kBreachesKept);
}

Result<std::vector<SlaBreachRecord>> TaskService::recentBreaches(std::size_t max) {
  std::lock_guard lock(mutex_);
  return store_->recentBreaches(max);
}

void TaskService::auditRefusal(const Task& task, const TaskCommand& command,
                               const std::string& actor, const Error& why) {
  const auto* claim = std::get_if<command::Claim>(&command);
  if (claim == nullptr) return;
  TaskEvent event;
  event.type = std::string(kEventClaimRefused);
  event.at = clock_.utcNow();
  event.actor = actor;
  event.reason = why.message;
  event.from = task.state;
  event.to = task.state;
  event.reader = claim->reader;
  audit(task, event, "failure");
}

void TaskService::audit(const Task& task, const TaskEvent& event, std::string_view outcome) {
  engine::AuditRecord record;
  record.action = "task." + event.type;
  record.actor = event.actor;
  record.outcome = std::string(outcome);
  record.site = task.site;
  record.study_uid = task.study_uids.empty() ? "" : task.study_uids.front();
  record.patient_id = task.patient.patient_id;
  record.accession_number = task.order.accession_number;
  record.details["task_id"] = task.id;
  record.details["from"] = std::string(taskStateName(event.from));
  record.details["to"] = std::string(taskStateName(event.to));
  if (!event.reason.empty()) record.details["reason"] = event.reason;
  if (!event.reader.empty()) record.details["reader"] = event.reader;
  record.at = event.at;
  audit_.record(std::move(record));
}

}  // namespace sundial::worklist
