#pragma once
// The read task: the unit of the worklist. One study (or linked studies of one patient) to
// report, with its priority, due time, who holds it and the times that turnaround is measured
// between. Plain values: no I/O, safe to copy between threads.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/order.h"

namespace sundial::worklist {

// The life cycle (see task_lifecycle.h for what moves a task between states).
enum class TaskState {
  Queued,       // waiting in a pool for a reader to claim it
  Assigned,     // pushed to one reader, not yet claimed
  Claimed,      // one reader holds it under a lease
  InProgress,   // the reader has started reading (still under the lease)
  Preliminary,  // a preliminary report exists
  Final,        // the final report exists, queued to the site
  Delivered,    // the site acknowledged the final report
  Escalated,    // breached its SLA while nobody held it: waits for re-dispatch, claimable
  Cancelled,    // the order was cancelled, or a dispatcher cancelled it
};
inline constexpr TaskState kAllTaskStates[] = {
    TaskState::Queued,      TaskState::Assigned, TaskState::Claimed,
    TaskState::InProgress,  TaskState::Preliminary, TaskState::Final,
    TaskState::Delivered,   TaskState::Escalated, TaskState::Cancelled};

std::string_view taskStateName(TaskState state);  // "queued", "in_progress", ...
std::optional<TaskState> parseTaskState(std::string_view name);

// Not yet reported: the SLA clock runs and a reader may still pick it up.
bool isAwaitingReport(TaskState state);
// Nothing more will happen to it (a correction of a delivered report still may).
bool isClosed(TaskState state);

using Priority = OrderPriority;  // STAT, URGENT, ROUTINE: the order's words
std::optional<Priority> parsePriority(std::string_view name);  // case-insensitive
// STAT first: a smaller rank is more urgent.
int priorityRank(Priority priority);

struct OrderSummary {
  std::string accession_number;
  std::string placer_order_number;
  std::string procedure_code;
  std::string procedure_text;
  std::string reason_for_exam;
  std::string ordering_provider;
};

// Identity (name, patient ID) is shown only to roles that need it (readers of the task,
// dispatchers); never logged.
struct PatientSummary {
  std::string patient_id;
  std::string name;
  std::string age;  // as shown to readers: "67Y", "3M"
  std::string sex;  // F, M, O, U
};

// When each step happened; an unset time is UtcTime{} (epoch 0).
struct TaskTimes {
  UtcTime ordered{};
  UtcTime first_image{};
  UtcTime study_complete{};
  UtcTime created{};
  UtcTime assigned{};
  UtcTime claimed{};
  UtcTime started{};
  UtcTime preliminary{};
  UtcTime final_report{};
  UtcTime delivered{};
};

struct Task {
  std::string id;
  std::vector<std::string> study_uids;  // the first is the main study
  std::string site;
  std::string modality;
  Priority priority = Priority::Routine;
  UtcTime due{};
  UtcTime warn_at{};            // when the SLA warning fires (a fraction of the way to due)
  TaskState state = TaskState::Queued;
  std::string assigned_reader;  // push: whom it is assigned to (empty: in a pool)
  std::string pool;             // pull: the pool it waits in (may be set with a reader)
  std::string claimed_by;       // Claimed / InProgress: the reader holding the lease
  UtcTime lease_expires{};      // Claimed / InProgress: when the claim lapses
  OrderSummary order;
  PatientSummary patient;
  TaskTimes times;
  std::vector<std::string> tags;
  std::string decision_id;      // the dispatcher's decision (audit) that created it
  double rvu = 0;               // relative value units of the read (reader load)
  std::string last_delivery_id; // ReportOutbox delivery of the latest report
  std::string report_hash;      // content hash of the latest report (status and text): repeats
  bool sla_warned = false;
  bool sla_breached = false;
  long long version = 0;        // bumped by every change (compare-and-set in the store)

  // Who has it in hand: the claimer, else the assigned reader; empty when in a pool.
  const std::string& holder() const { return claimed_by.empty() ? assigned_reader : claimed_by; }
};

// One change in a task's history: what, when, who and why.
struct TaskEvent {
  std::string type;    // a kEvent* name below
  UtcTime at{};
  std::string actor;   // reader id, user, "engine", "sla", "hl7:<site>"
  std::string reason;  // free text for people (no patient identity)
  TaskState from = TaskState::Queued;
  TaskState to = TaskState::Queued;
  std::string reader;  // the reader concerned (assigned to, claimed by), when any
  std::string previous_holder;  // who had the task in hand before (reassigned away from)
};

// Event names (the history, the audit trail as "task.<name>", the live updates).
inline constexpr std::string_view kEventCreated = "created";
inline constexpr std::string_view kEventAssigned = "assigned";
inline constexpr std::string_view kEventReassigned = "reassigned";
inline constexpr std::string_view kEventUnassigned = "unassigned";
inline constexpr std::string_view kEventClaimed = "claimed";
// Audit only (nothing changes, so not in the history): a claim the pool rules or the state refused.
inline constexpr std::string_view kEventClaimRefused = "claim_refused";
inline constexpr std::string_view kEventReleased = "released";
inline constexpr std::string_view kEventLeaseRenewed = "lease_renewed";
inline constexpr std::string_view kEventLeaseLapsed = "lease_lapsed";
inline constexpr std::string_view kEventStarted = "started";
inline constexpr std::string_view kEventPreliminary = "preliminary";
inline constexpr std::string_view kEventFinal = "final";
inline constexpr std::string_view kEventCorrected = "corrected";
inline constexpr std::string_view kEventAddendum = "addendum";
// The final report (or correction) received again, word for word: recorded, not sent again.
inline constexpr std::string_view kEventReportRepeated = "report_repeated";
inline constexpr std::string_view kEventDelivered = "delivered";
inline constexpr std::string_view kEventDeliveryFailed = "delivery_failed";
inline constexpr std::string_view kEventSlaWarning = "sla_warning";
inline constexpr std::string_view kEventSlaBreached = "sla_breached";
inline constexpr std::string_view kEventEscalated = "escalated";
inline constexpr std::string_view kEventCancelled = "cancelled";
inline constexpr std::string_view kEventOrderUpdated = "order_updated";
inline constexpr std::string_view kEventPatientMerged = "patient_merged";

}  // namespace sundial::worklist
