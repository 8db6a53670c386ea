#pragma once
// The read task's life cycle as a pure function: given a task and a command, the task after
// it and the event that records the change — or the reason the command is refused
// (ErrorCode::Rejected: the task's state does not allow it; InvalidInput: the command itself
// is wrong). No I/O and no clock: `now` comes in. The store applies the result with a
// compare-and-set on Task::version, so two nodes or two readers cannot both claim.
//
//   created ──> queued (pool) ─claim─> claimed ─start─> in_progress ─report P─> preliminary
//          └──> assigned (reader) ─claim─┘  │ release/lease lapse: back to assigned/queued
//   preliminary ─report F─> final ─site ACK─> delivered;  C / F again after final: correction
//   or addendum (back to final until the site ACKs it). SLA breach while nobody holds the
//   task: escalated (claimable, waits for re-dispatch). Cancel: before any report.

#include <chrono>
#include <string>
#include <variant>

#include "engine/domain/report.h"
#include "engine/domain/result.h"
#include "worklist/task.h"

namespace sundial::worklist {

struct LifecyclePolicy {
  std::chrono::milliseconds claim_lease{std::chrono::minutes(15)};
};

namespace command {
// Dispatcher (or the dispatcher's re-dispatch after escalation): push the task to a reader.
struct Assign {
  std::string reader;
  std::string reason;
};
// Dispatcher: take it from whoever holds it and put it (back) in a pool.
struct ReturnToPool {
  std::string pool;  // empty: keep the task's pool
  std::string reason;
};
struct Claim {
  std::string reader;
};
struct Release {
  std::string reader;
  std::string reason;
};
// The reader is still there (heartbeat): extend the lease.
struct RenewLease {
  std::string reader;
};
// The lease ran out (the SLA/lease timer thread).
struct LapseLease {};
struct Start {
  std::string reader;
};
// A report: from the reader's reporting system (ORU) or the API's "mark reported".
struct Report {
  ReportStatus status = ReportStatus::Final;
  std::string reader;             // who signed it (may be empty for an ORU without OBR-32)
  bool from_reporting_system = false;  // ORU: accepted in any open state
  std::string delivery_id;        // the ReportOutbox delivery queued for it
  std::string content_hash;       // of its status and text (ReportIntake): spots a repeat
};
// The site's answer to a queued report.
struct DeliveryResult {
  std::string delivery_id;
  bool delivered = false;
  std::string error_text;
};
struct SlaWarning {
  std::string cause;  // the step that is running late
};
struct SlaBreach {
  std::string cause;
};
struct Cancel {
  std::string reason;
};
// The order changed (late link, update): new summary, priority and due time.
struct UpdateOrder {
  OrderSummary order;
  PatientSummary patient;
  Priority priority = Priority::Routine;
  UtcTime due{};
  std::string reason;
};
}  // namespace command

using TaskCommand =
    std::variant<command::Assign, command::ReturnToPool, command::Claim, command::Release,
                 command::RenewLease, command::LapseLease, command::Start, command::Report,
                 command::DeliveryResult, command::SlaWarning, command::SlaBreach,
                 command::Cancel, command::UpdateOrder>;

struct Transition {
  Task after;
  TaskEvent event;
  bool changed = true;  // false: an idempotent repeat, nothing to store
};

// `actor` is who asks (reader id, user, "engine", "sla"), recorded in the event.
Result<Transition> applyCommand(const Task& before, const TaskCommand& command,
                                const std::string& actor, UtcTime now,
                                const LifecyclePolicy& policy);

// The step that is late when a task is still in `state` at its warning or due time.
std::string_view lateStep(TaskState state);

}  // namespace sundial::worklist
