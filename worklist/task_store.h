#pragma once
// TaskStore: where read tasks live (Redis in production: adapters/redis/redis_task_store).
// Changes are compare-and-set on Task::version, so that the state machine (task_lifecycle.h)
// decides and the store only refuses a change built on a stale copy. Besides the task, the
// store keeps its history, the indexes the worklist queries, the lease and SLA timer sets
// and the stream of changes that live updates read — all derived from the task, in the same
// atomic change. One instance belongs to one thread (it owns a connection).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/result.h"
#include "worklist/task.h"

namespace sundial::worklist {

// What a caller who may not see every task may see (engine/app/task_access.h decides): the
// store returns only tasks in scope, so that a limited page is full of visible tasks rather
// than cut short by a check afterwards.
struct TaskScope {
  std::string reader;              // tasks assigned to or claimed by this reader, and
                                   // claimable ones (queued, escalated)
  std::vector<std::string> sites;  // every task of these sites
};

// A place in the most-urgent-first order (priority, then due time, then id): where a page
// ended, to ask for the one after it.
struct TaskPosition {
  Priority priority = Priority::Routine;
  UtcTime due{};
  std::string id;
};

struct TaskFilter {
  std::string reader;               // held by (assigned to or claimed by) this reader
  std::vector<std::string> sites;   // any of these sites (empty: all)
  std::optional<Priority> priority;
  std::vector<TaskState> states;    // any of these (empty: every state but delivered/cancelled)
  std::optional<UtcTime> due_before;  // due < this
  std::optional<UtcTime> due_after;   // due >= this
  std::size_t limit = 200;
  std::optional<TaskScope> scope;     // empty: every task the filter matches
  std::optional<TaskPosition> after;  // open tasks only: those after this position
};

// A change found in the change stream (live updates): the task as it is after the change.
struct TaskChange {
  std::string stream_id;  // position in the stream ("<ms>-<seq>"), for resuming
  Task task;
  TaskEvent event;
};

// An SLA timer that is due: the task and which timer.
enum class SlaTimerKind { Warning, Breach, Lease };
struct DueSlaTimer {
  std::string task_id;
  SlaTimerKind kind = SlaTimerKind::Breach;
  UtcTime due{};
};

// A breach as recorded for people: which task, and which step was late.
struct SlaBreachRecord {
  std::string task_id;
  std::string site;
  std::string modality;
  Priority priority = Priority::Routine;
  std::string reader;   // who held the task at the breach (empty: nobody)
  TaskState state = TaskState::Queued;
  std::string cause;    // lateStep(state): claim, reading, final_report, delivery
  UtcTime due{};
  UtcTime at{};
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // A new, unused task id.
  virtual Result<std::string> newTaskId() = 0;

  // Stores a new task (version 1) with its creation event. Duplicate when one of its studies
  // already has a task that is not closed; the error's context is that task's id.
  virtual Result<void> create(const Task& task, const TaskEvent& created) = 0;

  // NotFound for an unknown id.
  virtual Result<Task> get(const std::string& id) = 0;
  virtual Result<std::vector<TaskEvent>> history(const std::string& id) = 0;

  // Stores `after` and appends `event` if the stored task is still at before.version.
  // false: it changed meanwhile (re-read and decide again). NotFound if it is gone.
  virtual Result<bool> update(const Task& before, const Task& after, const TaskEvent& event) = 0;

  // Tasks matching the filter, most urgent first (priority, then due time, then id).
  // InvalidInput for `after` with a closed state asked for (closed tasks have no such order).
  virtual Result<std::vector<Task>> list(const TaskFilter& filter) = 0;

  // The latest task for an accession number of a site, or for a study (reports coming in).
  virtual Result<std::optional<std::string>> findByAccession(const std::string& site,
                                                             const std::string& accession) = 0;
  virtual Result<std::optional<std::string>> findByStudy(const std::string& study_uid) = 0;

  // Ids of claimed tasks whose lease ran out by `now` (at most `max`).
  virtual Result<std::vector<std::string>> lapsedLeases(UtcTime now, std::size_t max) = 0;
  // SLA timers due by `now` (at most `max`), warnings and breaches. A timer stays until the
  // change it causes clears it (sla_warned, sla_breached, closed), so that a node dying in
  // between leaves it for another; forgetTimer() drops one that no change will clear (its
  // task is gone, or closed meanwhile).
  virtual Result<std::vector<DueSlaTimer>> dueSlaTimers(UtcTime now, std::size_t max) = 0;
  virtual Result<void> forgetTimer(const std::string& id, SlaTimerKind kind) = 0;
  // The earliest pending lease expiry or SLA timer, to sleep until it.
  virtual Result<std::optional<UtcTime>> nextTimer() = 0;

  // Breaches, newest first (kept up to `keep`).
  virtual Result<void> recordBreach(const SlaBreachRecord& breach, std::size_t keep) = 0;
  virtual Result<std::vector<SlaBreachRecord>> recentBreaches(std::size_t max) = 0;

  // Tasks whose final report was delivered in [from, to) — turnaround figures.
  virtual Result<std::vector<Task>> deliveredBetween(UtcTime from, UtcTime to) = 0;

  // The position of the latest change ("0-0" when there is none): where a reader starts.
  virtual Result<std::string> latestChangeId() = 0;
  // Changes after stream position `after` ("$": only new ones; "0": from the start), waiting
  // up to `block` for the first. At most `max`.
  virtual Result<std::vector<TaskChange>> readChanges(const std::string& after,
                                                      std::chrono::milliseconds block,
                                                      std::size_t max) = 0;
};

}  // namespace sundial::worklist
