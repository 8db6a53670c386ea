#pragma once
// The worklist's side of engine::OrderListener: a study's order linked late or changed
// updates its open task (order summary, patient summary, priority and due time); a cancelled
// order cancels the pending task; a patient merge moves the task to the surviving patient ID.
// Called on the orders component's threads; idempotent (a repeat changes nothing); a Redis
// failure returns Unavailable so that the caller tries again.

#include "engine/orders/order_listener.h"
#include "worklist/task_service.h"

namespace sundial::worklist {

class TaskOrderListener final : public engine::OrderListener {
 public:
  explicit TaskOrderListener(TaskService& tasks) : tasks_(tasks) {}

  Result<void> orderLinked(const engine::OrderLink& link) override;
  Result<void> orderCancelled(const engine::OrderLink& link) override;
  Result<void> patientMerged(const engine::PatientMerge& merge) override;

 private:
  // The study's task if it is not closed; std::nullopt when there is none.
  Result<std::optional<Task>> openTaskFor(const std::string& study_uid);

  TaskService& tasks_;
};

// Age as readers see it ("67Y", "5M", "12D") from a birth date (YYYYMMDD) at `at`; empty
// when the date cannot be read.
std::string ageAt(const std::string& birth_date, UtcTime at);

}  // namespace sundial::worklist
