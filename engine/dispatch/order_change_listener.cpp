#include "engine/dispatch/order_change_listener.h"

#include "engine/dispatch/task_summaries.h"
#include "engine/domain/log.h"

namespace sundial::engine {

OrderChangeListener::OrderChangeListener(std::unique_ptr<DispatchQueue> queue,
                                         std::unique_ptr<StateStore> studies,
                                         worklist::TaskService& tasks, const Clock& clock)
    : queue_(std::move(queue)), studies_(std::move(studies)), tasks_(tasks), clock_(clock) {}

Result<std::optional<worklist::Task>> OrderChangeListener::openTaskOf(const std::string& study_uid,
                                                                      const std::string& site) {
  auto id = tasks_.findForReport(site, "", study_uid);
  if (!id) return id.error();
  if (!id.value()) return std::optional<worklist::Task>{};
  auto task = tasks_.get(*id.value());
  if (!task) return task.error();
  if (worklist::isClosed(task->state)) return std::optional<worklist::Task>{};
  return std::optional<worklist::Task>{task.value()};
}

Result<void> OrderChangeListener::orderLinked(const OrderLink& link) {
  const UtcTime now = clock_.utcNow();
  {
    std::lock_guard lock(mutex_);
    // Waiting for this order: decide now (only moves a study still on the queue).
    if (auto woken = queue_->postpone(link.study_uid, now); !woken) return woken;
  }
  auto task = openTaskOf(link.study_uid, link.order.site);
  if (!task) return task.error();
  if (!task.value()) return okResult();
  StudyFacts facts;
  {
    std::lock_guard lock(mutex_);
    auto read = studies_->studyFacts(link.study_uid);
    if (read) facts = read.value();
  }
  const worklist::Task& current = *task.value();
  worklist::command::UpdateOrder update;
  update.order = orderSummary(link, facts);
  update.patient = patientSummary(link, facts, now);
  update.priority = link.order.priority;
  if (update.priority != current.priority) {
    worklist::TaskTimes times = current.times;
    if (times.ordered == UtcTime{}) times.ordered = link.order.ordered_at;
    update.due = tasks_.sla().dueAt(current.site, update.priority,
                                    worklist::SlaPolicy::clockStart(times));
  }
  update.reason = std::string("order linked (") + std::string(linkReasonName(link.reason)) + ")";
  auto applied = tasks_.apply(current.id, update, "orders");
  if (!applied && isRetryable(applied.error().code)) return applied.error();
  return okResult();
}

Result<void> OrderChangeListener::orderCancelled(const OrderLink& link) {
  {
    std::lock_guard lock(mutex_);
    // Not dispatched yet: it never will be (the dispatcher also checks, this saves the wait).
    if (auto done = queue_->done(link.study_uid); !done) return done;
  }
  auto task = openTaskOf(link.study_uid, link.order.site);
  if (!task) return task.error();
  if (!task.value()) return okResult();
  const worklist::Task& current = *task.value();
  if (!worklist::isAwaitingReport(current.state)) {
    log::warn("order_cancelled_after_report", {{"task", current.id}, {"site", current.site}});
    return okResult();  // reported already: the report stands, people decide
  }
  auto applied = tasks_.apply(current.id, worklist::command::Cancel{"the order was cancelled"},
                              "orders");
  if (!applied && isRetryable(applied.error().code)) return applied.error();
  return okResult();
}

Result<void> OrderChangeListener::patientMerged(const PatientMerge& merge) {
  for (const std::string& study_uid : merge.study_uids) {
    auto task = openTaskOf(study_uid, merge.site);
    if (!task) return task.error();
    if (!task.value()) continue;
    const worklist::Task& current = *task.value();
    worklist::command::UpdateOrder update;
    update.order = current.order;
    update.patient = current.patient;
    update.patient.patient_id = merge.surviving_patient_id;
    update.priority = current.priority;
    update.reason = "patient merged (ADT^A40)";
    auto applied = tasks_.apply(current.id, update, "orders");
    if (!applied && isRetryable(applied.error().code)) return applied.error();
  }
  return okResult();
}

}  // namespace sundial::engine
