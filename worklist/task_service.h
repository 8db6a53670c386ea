#pragma once
// TaskService: the worklist's commands — create a read task (the dispatcher, or a dispatcher
// by hand through the API), and every change of its life cycle. It decides with the pure
// state machine (task_lifecycle.h), stores with a compare-and-set (retrying on a concurrent
// change, deciding again on the fresh copy), and records each change in the audit trail.
//
// Thread-safe: the store (one Redis connection) is used under mutex_. A component that wants
// its own connection builds its own TaskService over its own store.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/audit/audit_sink.h"
#include "engine/domain/clock.h"
#include "engine/domain/result.h"
#include "worklist/rvu_table.h"
#include "worklist/sla_policy.h"
#include "worklist/task.h"
#include "worklist/task_lifecycle.h"
#include "worklist/task_store.h"

namespace sundial::worklist {

// What the dispatcher (or POST /api/v1/tasks) asks for.
struct NewTask {
  std::vector<std::string> study_uids;  // one study, or linked studies of one patient
  std::string site;
  std::string modality;
  Priority priority = Priority::Routine;
  std::optional<UtcTime> due;           // absent: from the site's SLA for the priority
  std::string reader;                   // push to this reader ...
  std::string pool;                     // ... and/or let the pool's readers claim it
  OrderSummary order;
  PatientSummary patient;
  UtcTime ordered{};                    // order time (ORC-9), when known
  UtcTime first_image{};
  UtcTime study_complete{};
  std::vector<std::string> tags;
  std::string decision_id;
  std::optional<double> rvu;            // absent: from the RVU table
};

struct TaskWithHistory {
  Task task;
  std::vector<TaskEvent> history;
};

class TaskService {
 public:
  TaskService(std::unique_ptr<TaskStore> store, const Clock& clock, engine::AuditSink& audit,
              SlaPolicy sla, LifecyclePolicy lifecycle, RvuTable rvus);

  // InvalidInput naming the field that is wrong; Duplicate (context: the existing task id)
  // when a study already has an open task; Unavailable when Redis is down.
  Result<Task> create(const NewTask& request, const std::string& actor);

  // Applies a life-cycle command. Rejected (with the reason) when the task's state does not
  // allow it; NotFound for an unknown task. An idempotent repeat returns the task unchanged.
  Result<Task> apply(const std::string& task_id, const TaskCommand& command,
                     const std::string& actor);
  // The same, saying whether this call changed the task (false: an idempotent repeat, or
  // another node made the same change first) — for acting on a change exactly once.
  struct Applied {
    Task task;
    bool changed = false;
  };
  Result<Applied> applyChange(const std::string& task_id, const TaskCommand& command,
                              const std::string& actor);
  // The same, with a check the worklist cannot make itself (whether a reader may claim from
  // the task's pool: the roster's business), run on every fresh copy of the task before the
  // command is decided, so that a concurrent change cannot slip past it. An error from it
  // refuses the command: nothing changes, the error is returned as is. It runs under the
  // service's lock: it must be quick and call nothing that takes the lock or does I/O.
  using Precondition = std::function<Result<void>(const Task& current)>;
  Result<Applied> applyChange(const std::string& task_id, const TaskCommand& command,
                              const std::string& actor, const Precondition& precondition);

  Result<Task> get(const std::string& task_id);
  Result<TaskWithHistory> getWithHistory(const std::string& task_id);
  Result<std::vector<Task>> list(const TaskFilter& filter);

  // The task a report belongs to: by accession number within the site, else by study UID.
  Result<std::optional<std::string>> findForReport(const std::string& site,
                                                   const std::string& accession,
                                                   const std::string& study_uid);

  // The latest task of a study (any site, any state).
  Result<std::optional<std::string>> findTaskForStudy(const std::string& study_uid);

  // For the timer thread (sla_timer_loop.h).
  Result<std::vector<std::string>> lapsedLeases(UtcTime now, std::size_t max);
  Result<std::vector<DueSlaTimer>> dueSlaTimers(UtcTime now, std::size_t max);
  Result<void> forgetTimer(const std::string& task_id, SlaTimerKind kind);
  Result<std::optional<UtcTime>> nextTimer();
  Result<std::vector<Task>> deliveredBetween(UtcTime from, UtcTime to);
  Result<void> recordBreach(const SlaBreachRecord& breach);
  Result<std::vector<SlaBreachRecord>> recentBreaches(std::size_t max);

  // Called after every stored change (metrics, notifications), on the thread that made it,
  // without the store's lock held. Set before the service is shared.
  using ChangeObserver = std::function<void(const Task& after, const TaskEvent& event)>;
  void setChangeObserver(ChangeObserver observer) { observer_ = std::move(observer); }

  const SlaPolicy& sla() const { return sla_; }
  const LifecyclePolicy& lifecycle() const { return lifecycle_; }
  const Clock& clock() const { return clock_; }

 private:
  Result<Task> buildTask(const NewTask& request, const std::string& id, UtcTime now) const;
  void audit(const Task& task, const TaskEvent& event, std::string_view outcome = "success");
  // A refused claim is audited (who tried to take which task, and why not); other refused
  // commands are only logged.
  void auditRefusal(const Task& task, const TaskCommand& command, const std::string& actor,
                    const Error& why);

  std::mutex mutex_;  // guards store_ (one connection)
  std::unique_ptr<TaskStore> store_;
  const Clock& clock_;
  engine::AuditSink& audit_;
  const SlaPolicy sla_;
  const LifecyclePolicy lifecycle_;
  const RvuTable rvus_;
  ChangeObserver observer_;
};

}  // namespace sundial::worklist
