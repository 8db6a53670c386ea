#pragma once
// ClusterLease: work that must happen once in the cluster, not once per node (a periodic
// sweep that changes shared state). A node takes the lease named after the work for one
// period; while it holds it, no other node can take it. The holder never hands it back:
// the lease simply runs out, so a node that dies mid-period costs at most one period.
// Implemented on Redis in adapters/redis. One instance belongs to one thread.

#include <chrono>
#include <string>

#include "engine/domain/result.h"

namespace sundial::engine {

class ClusterLease {
 public:
  virtual ~ClusterLease() = default;

  // True when `holder` took `name` for `period` now (it was free or had run out); false when
  // someone else (or `holder` itself) holds it. Unavailable when the store is down.
  virtual Result<bool> tryTake(const std::string& name, const std::string& holder,
                               std::chrono::milliseconds period) = 0;
};

}  // namespace sundial::engine
