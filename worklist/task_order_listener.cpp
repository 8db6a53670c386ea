#include "worklist/task_order_listener.h"

#include <chrono>

#include "engine/domain/log.h"

namespace sundial::worklist {
namespace {

OrderSummary summaryOf(const Order& order) {
  OrderSummary s;
  s.accession_number = order.accession_number;
  s.placer_order_number = order.placer_order_number;
  s.procedure_code = order.procedure_code;
  s.procedure_text = order.procedure_text;
  s.reason_for_exam = order.reason_for_exam;
  s.ordering_provider = order.ordering_provider;
  return s;
}

// Refusals of a change that no longer applies (the task was reported meanwhile) are not
// failures of the notification: there is nothing to do.
Result<void> settled(const Result<Task>& changed, std::string_view what, const std::string& id) {
  if (changed) return okResult();
  if (changed.error().code == ErrorCode::Rejected || changed.error().code == ErrorCode::NotFound) {
    log::info("task_order_change_skipped",
              {{"task", id}, {"change", what}, {"reason", changed.error().message}});
    return okResult();
  }
  return changed.error();
}

}  // namespace

std::string ageAt(const std::string& birth_date, UtcTime at) {
  if (birth_date.size() < 8) return {};
  int y = 0, m = 0, d = 0;
  try {
    y = std::stoi(birth_date.substr(0, 4));
    m = std::stoi(birth_date.substr(4, 2));
    d = std::stoi(birth_date.substr(6, 2));
  } catch (const std::exception&) {
    return {};
  }
  using namespace std::chrono;
  const year_month_day birth{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!birth.ok()) return {};
  const year_month_day today{floor<days>(at)};
  if (sys_days(birth) > sys_days(today)) return {};
  int years = static_cast<int>(today.year()) - y;
  if (today.month() < birth.month() || (today.month() == birth.month() && today.day() < birth.day())) {
    --years;
  }
  if (years >= 2) return std::to_string(years) + "Y";
  const int months = (static_cast<int>(today.year()) - y) * 12 +
                     (static_cast<int>(static_cast<unsigned>(today.month())) - m) -
                     (today.day() < birth.day() ? 1 : 0);
  if (months >= 1) return std::to_string(months) + "M";
  return std::to_string((sys_days(today) - sys_days(birth)).count()) + "D";
}

Result<std::optional<Task>> TaskOrderListener::openTaskFor(const std::string& study_uid) {
  auto found = tasks_.findTaskForStudy(study_uid);
  if (!found) return found.error();
  if (!found->has_value()) return std::optional<Task>{};
  auto task = tasks_.get(**found);
  if (!task) {
    if (task.error().code == ErrorCode::NotFound) return std::optional<Task>{};
    return task.error();
  }
  if (isClosed(task->state)) return std::optional<Task>{};
  return std::optional<Task>(std::move(task.value()));
}

Result<void> TaskOrderListener::orderLinked(const engine::OrderLink& link) {
  auto task = openTaskFor(link.study_uid);
  if (!task) return task.error();
  if (!task->has_value()) return okResult();  // no task yet: the dispatcher reads the order
  const Task& t = **task;
  command::UpdateOrder update;
  update.order = summaryOf(link.order);
  update.patient = t.patient;
  update.patient.patient_id = link.order.patient_id;
  update.patient.name = link.order.patient_name;
  update.patient.sex = link.order.sex;
  const UtcTime ordered = link.order.ordered_at;
  if (std::string age = ageAt(link.order.birth_date, ordered == UtcTime{} ? tasks_.clock().utcNow() : ordered);
      !age.empty()) {
    update.patient.age = age;
  }
  update.priority = link.order.priority;
  // A changed priority, or an order later than the images, moves the due time.
  TaskTimes times = t.times;
  if (ordered != UtcTime{}) times.ordered = ordered;
  update.due = tasks_.sla().dueAt(t.site, update.priority, SlaPolicy::clockStart(times));
  update.reason = "order " + std::string(engine::linkReasonName(link.reason));
  return settled(tasks_.apply(t.id, update, "orders"), "order_linked", t.id);
}

Result<void> TaskOrderListener::orderCancelled(const engine::OrderLink& link) {
  auto task = openTaskFor(link.study_uid);
  if (!task) return task.error();
  if (!task->has_value()) return okResult();
  const std::string id = (*task)->id;
  return settled(tasks_.apply(id, command::Cancel{"order cancelled at the site"}, "orders"),
                 "order_cancelled", id);
}

Result<void> TaskOrderListener::patientMerged(const engine::PatientMerge& merge) {
  for (const auto& study_uid : merge.study_uids) {
    auto task = openTaskFor(study_uid);
    if (!task) return task.error();
    if (!task->has_value()) continue;
    const Task& t = **task;
    if (t.patient.patient_id == merge.surviving_patient_id) continue;  // a repeat
    command::UpdateOrder update;
    update.order = t.order;
    update.patient = t.patient;
    update.patient.patient_id = merge.surviving_patient_id;
    update.priority = t.priority;
    update.due = t.due;
    update.reason = "patient merged (ADT^A40)";
    if (auto done = settled(tasks_.apply(t.id, update, "orders"), "patient_merged", t.id); !done) {
      return done;
    }
  }
  return okResult();
}

}  // namespace sundial::worklist
