#pragma once
// Reader presence and load: who is online (a heartbeat from the worklist page or API within
// the configured time) and how much each reader has in hand, in open tasks and in RVUs.
// Kept in Redis (adapters/redis/redis_reader_presence), read by the dispatcher through this
// interface. One instance belongs to one thread (it owns a connection).

#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::worklist {

struct ReaderLoad {
  std::string reader;
  bool online = false;        // a heartbeat within the offline timeout, and not signed off
  UtcTime last_heartbeat{};   // epoch 0: never seen
  int open_tasks = 0;         // assigned, claimed, in progress, preliminary
  int claimed_tasks = 0;      // claimed or in progress
  double open_rvu = 0;        // RVUs of those open tasks
};

class ReaderPresence {
 public:
  virtual ~ReaderPresence() = default;
  // The reader is here (heartbeat or "online").
  virtual Result<void> heartbeat(const std::string& reader, UtcTime now) = 0;
  // The reader signed off: offline at once, whatever the last heartbeat.
  virtual Result<void> signOff(const std::string& reader, UtcTime now) = 0;
  // Presence and load of each reader named, in the same order.
  virtual Result<std::vector<ReaderLoad>> load(const std::vector<std::string>& readers,
                                               UtcTime now) = 0;
};

}  // namespace sundial::worklist
