#include "worklist/task_lifecycle.h"

#include <string>

namespace sundial::worklist {
namespace {

using namespace command;

Error refused(const Task& task, const std::string& what) {
  return makeError(ErrorCode::Rejected,
                   "task " + task.id + " is " + std::string(taskStateName(task.state)) + ": " + what,
                   "task " + task.id);
}

Error invalid(const std::string& message) { return makeError(ErrorCode::InvalidInput, message); }

// Starts a transition: a copy of the task, version bumped, and its event.
Transition begin(const Task& before, std::string_view type, const std::string& actor,
                 UtcTime now, std::string reason = {}) {
  Transition t;
  t.after = before;
  t.after.version = before.version + 1;
  t.event.type = std::string(type);
  t.event.at = now;
  t.event.actor = actor;
  t.event.reason = std::move(reason);
  t.event.from = before.state;
  t.event.to = before.state;
  t.event.previous_holder = before.holder();
  return t;
}

Transition& moveTo(Transition& t, TaskState state) {
  t.after.state = state;
  t.event.to = state;
  return t;
}

void dropClaim(Task& task) {
  task.claimed_by.clear();
  task.lease_expires = UtcTime{};
}

bool leaseLapsed(const Task& task, UtcTime now) {
  return task.lease_expires != UtcTime{} && task.lease_expires <= now;
}

// Where a task goes when its holder lets go: back to its assigned reader, else its pool.
TaskState unheldState(const Task& task) {
  if (!task.assigned_reader.empty()) return TaskState::Assigned;
  return task.sla_breached ? TaskState::Escalated : TaskState::Queued;
}

Result<Transition> assign(const Task& task, const Assign& c, const std::string& actor,
                          UtcTime now) {
  if (c.reader.empty()) return invalid("assign needs a reader");
  if (!isAwaitingReport(task.state)) return refused(task, "only an unreported task can be assigned");
  if (task.state == TaskState::Assigned && task.assigned_reader == c.reader) {
    Transition t = begin(task, kEventAssigned, actor, now, c.reason);
    t.changed = false;
    return t;
  }
  const bool reassign = !task.holder().empty();
  Transition t = begin(task, reassign ? kEventReassigned : kEventAssigned, actor, now, c.reason);
  t.event.reader = c.reader;
  dropClaim(t.after);
  t.after.assigned_reader = c.reader;
  t.after.times.assigned = now;
  return moveTo(t, TaskState::Assigned);
}

Result<Transition> returnToPool(const Task& task, const ReturnToPool& c, const std::string& actor,
                                UtcTime now) {
  if (!isAwaitingReport(task.state)) {
    return refused(task, "only an unreported task can go back to a pool");
  }
  if (c.pool.empty() && task.pool.empty()) return invalid("the task has no pool: name one");
  Transition t = begin(task, kEventUnassigned, actor, now, c.reason);
  t.event.reader = task.holder();
  dropClaim(t.after);
  t.after.assigned_reader.clear();
  if (!c.pool.empty()) t.after.pool = c.pool;
  return moveTo(t, t.after.sla_breached ? TaskState::Escalated : TaskState::Queued);
}

Result<Transition> claim(const Task& task, const Claim& c, const std::string& actor, UtcTime now,
                         const LifecyclePolicy& policy) {
  if (c.reader.empty()) return invalid("claim needs a reader");
  const bool held = task.state == TaskState::Claimed || task.state == TaskState::InProgress;
  if (held && task.claimed_by == c.reader) {
    // A repeated claim by the holder (a double click, a retry): the lease is extended.
    Transition t = begin(task, kEventLeaseRenewed, actor, now);
    t.event.reader = c.reader;
    t.after.lease_expires = now + policy.claim_lease;
    return t;
  }
  if (held && !leaseLapsed(task, now)) {
    return refused(task, "already claimed by reader " + task.claimed_by);
  }
  if (!held && !isAwaitingReport(task.state)) return refused(task, "it is no longer open to read");
  if (task.state == TaskState::Assigned && task.assigned_reader != c.reader) {
    return refused(task, "assigned to reader " + task.assigned_reader);
  }
  Transition t = begin(task, kEventClaimed, actor, now,
                       held ? "the previous claim by " + task.claimed_by + " had lapsed" : "");
  t.event.reader = c.reader;
  t.after.claimed_by = c.reader;
  t.after.lease_expires = now + policy.claim_lease;
  t.after.times.claimed = now;
  return moveTo(t, TaskState::Claimed);
}

Result<Transition> release(const Task& task, const Release& c, const std::string& actor,
                           UtcTime now) {
  if (task.state != TaskState::Claimed && task.state != TaskState::InProgress) {
    return refused(task, "only a claimed task can be released");
  }
  if (task.claimed_by != c.reader) return refused(task, "claimed by reader " + task.claimed_by);
  Transition t = begin(task, kEventReleased, actor, now, c.reason);
  t.event.reader = c.reader;
  dropClaim(t.after);
  return moveTo(t, unheldState(t.after));
}

Result<Transition> renewLease(const Task& task, const RenewLease& c, const std::string& actor,
                              UtcTime now, const LifecyclePolicy& policy) {
  if (task.state != TaskState::Claimed && task.state != TaskState::InProgress) {
    return refused(task, "only a claimed task has a lease");
  }
  if (task.claimed_by != c.reader) return refused(task, "claimed by reader " + task.claimed_by);
  if (leaseLapsed(task, now)) return refused(task, "the claim has already lapsed");
  Transition t = begin(task, kEventLeaseRenewed, actor, now);
  t.event.reader = c.reader;
  t.after.lease_expires = now + policy.claim_lease;
  return t;
}

Result<Transition> lapseLease(const Task& task, const std::string& actor, UtcTime now) {
  if (task.state != TaskState::Claimed && task.state != TaskState::InProgress) {
    Transition t = begin(task, kEventLeaseLapsed, actor, now);
    t.changed = false;  // released or reported meanwhile: nothing lapses
    return t;
  }
  if (!leaseLapsed(task, now)) return refused(task, "its lease has not run out");
  Transition t = begin(task, kEventLeaseLapsed, actor, now,
                       "reader " + task.claimed_by + " went away without releasing it");
  t.event.reader = task.claimed_by;
  dropClaim(t.after);
  return moveTo(t, unheldState(t.after));
}

Result<Transition> start(const Task& task, const Start& c, const std::string& actor, UtcTime now) {
  if (task.state == TaskState::InProgress && task.claimed_by == c.reader) {
    Transition t = begin(task, kEventStarted, actor, now);
    t.changed = false;
    return t;
  }
  if (task.state != TaskState::Claimed) return refused(task, "claim it before starting");
  if (task.claimed_by != c.reader) return refused(task, "claimed by reader " + task.claimed_by);
  Transition t = begin(task, kEventStarted, actor, now);
  t.event.reader = c.reader;
  t.after.times.started = now;
  return moveTo(t, TaskState::InProgress);
}

// Readers report what they hold; the reporting system's ORU is accepted whoever holds it.
Result<void> checkReporter(const Task& task, const Report& c) {
  if (c.from_reporting_system) return okResult();
  if (task.state != TaskState::Claimed && task.state != TaskState::InProgress &&
      task.state != TaskState::Preliminary) {
    return refused(task, "claim it before reporting");
  }
  if (c.reader.empty()) return invalid("a report needs the reader who signed it");
  if (task.claimed_by != c.reader) {
    return refused(task, "claimed by reader " + task.claimed_by + ", not " + c.reader);
  }
  return okResult();
}

Result<Transition> report(const Task& task, const Report& c, const std::string& actor,
                          UtcTime now) {
  if (task.state == TaskState::Cancelled) return refused(task, "a cancelled task takes no report");
  const bool after_final = task.state == TaskState::Final || task.state == TaskState::Delivered;
  if (after_final) {
    if (c.status == ReportStatus::Preliminary) {
      return refused(task, "a preliminary report after the final one");
    }
    if (!c.content_hash.empty() && c.content_hash == task.report_hash) {
      // The same report again (a reporting system resending under a new message control
      // ID): not an addendum. Recorded; the site already has it (or is being sent it).
      Transition t = begin(task, kEventReportRepeated, actor, now,
                           "identical to the latest report: not sent again");
      t.event.reader = c.reader;
      return t;
    }
    // OBR-25 C: a correction; F again: an addendum. Either goes to the site again.
    Transition t = begin(task, c.status == ReportStatus::Corrected ? kEventCorrected
                                                                   : kEventAddendum,
                         actor, now);
    t.event.reader = c.reader;
    t.after.last_delivery_id = c.delivery_id;
    t.after.report_hash = c.content_hash;
    return moveTo(t, TaskState::Final);
  }
  if (c.status == ReportStatus::Corrected) {
    return refused(task, "a correction needs a final report to correct");
  }
  if (auto ok = checkReporter(task, c); !ok) return ok.error();
  const bool preliminary = c.status == ReportStatus::Preliminary;
  if (preliminary && task.state == TaskState::Preliminary) {
    // A revised preliminary report: recorded, sent again.
    Transition t = begin(task, kEventPreliminary, actor, now, "revised preliminary report");
    t.event.reader = c.reader;
    t.after.last_delivery_id = c.delivery_id;
    t.after.report_hash = c.content_hash;
    return t;
  }
  Transition t = begin(task, preliminary ? kEventPreliminary : kEventFinal, actor, now);
  t.event.reader = c.reader;
  t.after.lease_expires = UtcTime{};
  if (!c.reader.empty()) t.after.claimed_by = c.reader;
  t.after.last_delivery_id = c.delivery_id;
  t.after.report_hash = c.content_hash;
  if (preliminary) {
    t.after.times.preliminary = now;
    return moveTo(t, TaskState::Preliminary);
  }
  t.after.times.final_report = now;
  return moveTo(t, TaskState::Final);
}

Result<Transition> deliveryResult(const Task& task, const DeliveryResult& c,
                                  const std::string& actor, UtcTime now) {
  if (!c.delivered) {
    Transition t = begin(task, kEventDeliveryFailed, actor, now, c.error_text);
    return t;
  }
  // Only the ACK of the latest final report (or correction) delivers the task; the ACK of an
  // earlier preliminary report is recorded without a change of state.
  const bool latest = c.delivery_id == task.last_delivery_id;
  if (latest && task.state == TaskState::Delivered) {
    // The same ACK again (the outbox offering an outcome whose confirmation was lost, or the
    // site acknowledging a resent report): already recorded.
    Transition t = begin(task, kEventDelivered, actor, now);
    t.changed = false;
    return t;
  }
  Transition t = begin(task, kEventDelivered, actor, now,
                       task.state == TaskState::Final && latest ? "" : "an earlier report");
  if (task.state != TaskState::Final || !latest) return t;
  if (task.times.delivered == UtcTime{}) t.after.times.delivered = now;  // TAT: the first one
  return moveTo(t, TaskState::Delivered);
}

Result<Transition> slaWarning(const Task& task, const SlaWarning& c, const std::string& actor,
                              UtcTime now) {
  Transition t = begin(task, kEventSlaWarning, actor, now, c.cause);
  if (isClosed(task.state) || task.sla_warned) {
    t.changed = false;
    return t;
  }
  t.after.sla_warned = true;
  return t;
}

Result<Transition> slaBreach(const Task& task, const SlaBreach& c, const std::string& actor,
                             UtcTime now) {
  const bool unheld = task.state == TaskState::Queued || task.state == TaskState::Assigned;
  Transition t = begin(task, unheld ? kEventEscalated : kEventSlaBreached, actor, now, c.cause);
  if (isClosed(task.state) || task.sla_breached) {
    t.changed = false;
    return t;
  }
  t.after.sla_breached = true;
  if (!unheld) return t;  // a reader is on it (or it is reported): record, do not take it away
  t.event.reader = task.assigned_reader;
  t.after.assigned_reader.clear();
  return moveTo(t, TaskState::Escalated);
}

Result<Transition> cancel(const Task& task, const Cancel& c, const std::string& actor,
                          UtcTime now) {
  Transition t = begin(task, kEventCancelled, actor, now, c.reason);
  if (task.state == TaskState::Cancelled) {
    t.changed = false;
    return t;
  }
  if (!isAwaitingReport(task.state)) return refused(task, "it has been reported");
  t.event.reader = task.holder();
  dropClaim(t.after);
  return moveTo(t, TaskState::Cancelled);
}

Result<Transition> updateOrder(const Task& task, const UpdateOrder& c, const std::string& actor,
                               UtcTime now) {
  if (isClosed(task.state)) return refused(task, "it is closed");
  Transition t = begin(task, kEventOrderUpdated, actor, now, c.reason);
  t.after.order = c.order;
  t.after.patient = c.patient;
  t.after.priority = c.priority;
  if (c.due != UtcTime{}) t.after.due = c.due;
  return t;
}

}  // namespace

Result<Transition> applyCommand(const Task& before, const TaskCommand& cmd,
                                const std::string& actor, UtcTime now,
                                const LifecyclePolicy& policy) {
  return std::visit(
      [&](const auto& c) -> Result<Transition> {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, Assign>) return assign(before, c, actor, now);
        if constexpr (std::is_same_v<C, ReturnToPool>) return returnToPool(before, c, actor, now);
        if constexpr (std::is_same_v<C, Claim>) return claim(before, c, actor, now, policy);
        if constexpr (std::is_same_v<C, Release>) return release(before, c, actor, now);
        if constexpr (std::is_same_v<C, RenewLease>) return renewLease(before, c, actor, now, policy);
        if constexpr (std::is_same_v<C, LapseLease>) return lapseLease(before, actor, now);
        if constexpr (std::is_same_v<C, Start>) return start(before, c, actor, now);
        if constexpr (std::is_same_v<C, Report>) return report(before, c, actor, now);
        if constexpr (std::is_same_v<C, DeliveryResult>) return deliveryResult(before, c, actor, now);
        if constexpr (std::is_same_v<C, SlaWarning>) return slaWarning(before, c, actor, now);
        if constexpr (std::is_same_v<C, SlaBreach>) return slaBreach(before, c, actor, now);
        if constexpr (std::is_same_v<C, Cancel>) return cancel(before, c, actor, now);
        if constexpr (std::is_same_v<C, UpdateOrder>) return updateOrder(before, c, actor, now);
      },
      cmd);
}

std::string_view lateStep(TaskState state) {
  switch (state) {
    case TaskState::Queued:
    case TaskState::Escalated: return "claim";  // nobody took it from the pool
    case TaskState::Assigned: return "claim";   // the assigned reader did not take it up
    case TaskState::Claimed:
    case TaskState::InProgress: return "reading";
    case TaskState::Preliminary: return "final_report";
    case TaskState::Final: return "delivery";  // the site has not acknowledged the report
    case TaskState::Delivered:
    case TaskState::Cancelled: return "none";
  }
  return "none";
}

}  // namespace sundial::worklist
