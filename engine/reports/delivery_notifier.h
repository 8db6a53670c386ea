#pragma once
// DeliveryNotifier: holds the DeliveryListener the rest of the node sets (the worklist) and
// calls it for the senders. setListener() from any thread; notify() from the sender threads.
// The listener runs on a sender thread: it must be quick and safe to call concurrently.

#include <mutex>

#include "engine/reports/report_outbox.h"

namespace sundial::engine {

class DeliveryNotifier {
 public:
  void setListener(DeliveryListener listener) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
  }

  // Calls the listener outside the lock (it may take a while or set another one). Whether it
  // took the outcome; false when no listener is set yet (start-up): offered again later.
  bool notify(const ReportDelivery& delivery) const {
    DeliveryListener listener;
    {
      std::lock_guard lock(mutex_);
      listener = listener_;
    }
    return listener && listener(delivery);
  }

 private:
  mutable std::mutex mutex_;  // guards listener_
  DeliveryListener listener_;
};

}  // namespace sundial::engine
