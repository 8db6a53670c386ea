#pragma once
// InstanceSender: sends spooled instances to one destination, keeping its association open
// between jobs. Implemented with DCMTK in adapters/dicom. One instance per forward worker
// thread; not thread-safe.

#include <vector>

#include "engine/domain/result.h"
#include "engine/store/forward_queue.h"

namespace sundial::engine {

class InstanceSender {
 public:
  virtual ~InstanceSender() = default;

  // A hint: these jobs come next, so an association opened now should offer what they need.
  virtual void prepare(const std::vector<ForwardJob>& upcoming) = 0;

  // C-STORE of the job's spool file. Errors: Unavailable (peer down, association lost,
  // timeout), Rejected (association refused), ResourceExhausted (peer out of resources),
  // InvalidInput (the peer refused the instance or it cannot be converted to anything the
  // peer accepts), NotFound (the spool file is gone).
  virtual Result<void> send(const ForwardJob& job) = 0;

  // Releases the association if one is open (idle, or shutting down).
  virtual void release() = 0;
};

}  // namespace sundial::engine
