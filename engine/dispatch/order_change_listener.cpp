#include "engine/dispatch/order_change_listener.h"

#include "engine/domain/log.h"

namespace sundial::engine {

OrderChangeListener::OrderChangeListener(std::unique_ptr<DispatchQueue> queue,
                                         std::unique_ptr<StateStore> studies, Spool& spool,
                                         const Clock& clock)
    : queue_(std::move(queue)), studies_(std::move(studies)), spool_(spool), clock_(clock) {}

Result<void> OrderChangeListener::orderLinked(const OrderLink& link) {
  std::lock_guard lock(mutex_);
  // Waiting for this order: decide now (postpone only moves a study still on the queue).
  return queue_->postpone(link.study_uid, clock_.utcNow());
}

Result<void> OrderChangeListener::orderCancelled(const OrderLink& link) {
  std::lock_guard lock(mutex_);
  auto pending = queue_->depth();  // cheap liveness check before changing anything
  if (!pending) return pending.error();
  // Only a study not dispatched yet: a dispatched one's task is the worklist's to cancel,
  // and its hold was released at dispatch.
  auto facts = studies_->studyFacts(link.study_uid);
  if (!facts) return facts.error().code == ErrorCode::NotFound ? okResult() : Result<void>(facts.error());
  if (auto done = queue_->done(link.study_uid); !done) return done;
  auto released = studies_->routeStudy(link.study_uid, {});
  if (!released) return released.error().code == ErrorCode::NotFound ? okResult()
                                                                     : Result<void>(released.error());
  for (const std::string& file : released->unneeded_files) {
    if (auto removed = spool_.remove(file); !removed) {
      log::warn("spool_remove_failed", {{"reason", removed.error().describe()}});
    }
  }
  return okResult();
}

}  // namespace sundial::engine
