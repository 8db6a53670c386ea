#pragma once
// What the dispatcher does when a study's order changes after the study arrived
// (OrderListener, called by engine/orders; the worklist has its own listener for the tasks):
// - a late order (or a manual link): a study still waiting for its order is dispatched at
//   once instead of at the end of matching.unmatched_after;
// - a cancelled order: a study not yet dispatched never will be; its dispatch hold is
//   released (spool files nothing else needs are removed).
// Thread-safe: calls come from the inbox processor and HTTP threads; its own connections are
// used under a lock.

#include <memory>
#include <mutex>

#include "engine/dispatch/dispatch_queue.h"
#include "engine/domain/clock.h"
#include "engine/orders/order_listener.h"
#include "engine/store/spool.h"
#include "engine/store/state_store.h"

namespace sundial::engine {

class OrderChangeListener final : public OrderListener {
 public:
  OrderChangeListener(std::unique_ptr<DispatchQueue> queue, std::unique_ptr<StateStore> studies,
                      Spool& spool, const Clock& clock);

  Result<void> orderLinked(const OrderLink& link) override;
  Result<void> orderCancelled(const OrderLink& link) override;
  Result<void> patientMerged(const PatientMerge&) override { return okResult(); }

 private:
  std::mutex mutex_;  // guards queue_ and studies_ (one connection each)
  std::unique_ptr<DispatchQueue> queue_;
  std::unique_ptr<StateStore> studies_;
  Spool& spool_;
  const Clock& clock_;
};

}  // namespace sundial::engine
