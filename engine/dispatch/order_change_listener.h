#pragma once
// What the dispatcher and the worklist do when a study's order changes after the study
// arrived (OrderListener, called by engine/orders):
// - a late order (or a manual link): a study still waiting for its order is dispatched at
//   once; a study that already has its read task gets the order's accession, procedure,
//   reason for exam, priority and the due time of that priority;
// - a cancelled order: the study is not dispatched, and its unreported task is cancelled;
// - a patient merge: the tasks of the moved studies show the surviving patient ID.
// Thread-safe: calls come from the inbox processor and HTTP threads; its own dispatch queue
// connection is used under a lock, the task service is thread-safe.

#include <memory>
#include <mutex>

#include "engine/dispatch/dispatch_queue.h"
#include "engine/domain/clock.h"
#include "engine/orders/order_listener.h"
#include "engine/store/state_store.h"
#include "worklist/task_service.h"

namespace sundial::engine {

class OrderChangeListener final : public OrderListener {
 public:
  OrderChangeListener(std::unique_ptr<DispatchQueue> queue, std::unique_ptr<StateStore> studies,
                      worklist::TaskService& tasks, const Clock& clock);

  Result<void> orderLinked(const OrderLink& link) override;
  Result<void> orderCancelled(const OrderLink& link) override;
  Result<void> patientMerged(const PatientMerge& merge) override;

 private:
  // The open (not closed) task of the study, if any.
  Result<std::optional<worklist::Task>> openTaskOf(const std::string& study_uid,
                                                   const std::string& site);

  std::mutex mutex_;  // guards queue_ and studies_ (one connection each)
  std::unique_ptr<DispatchQueue> queue_;
  std::unique_ptr<StateStore> studies_;
  worklist::TaskService& tasks_;
  const Clock& clock_;
};

}  // namespace sundial::engine
