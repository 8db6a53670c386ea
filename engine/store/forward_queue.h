#pragma once
// ForwardQueue: the durable per-destination queue of forward jobs. Implemented on Redis in
// adapters/redis. Each forward worker thread owns one instance.
//
// A job is one (SOP Instance UID, destination) pair. Life cycle:
//   ready --claim--> in flight (per worker) --acknowledge--> sent
//                                            --retryLater--> waiting --(due)--> ready
//                                            --deadLetter--> dead, with the reason
// A worker's in-flight jobs go back to ready when it restarts (reclaim).
// With several nodes, a job can only be sent by the node whose spool holds its file: ready
// is per node, and an implementation's claim() takes only the calling node's jobs.

#include <chrono>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::engine {

struct ForwardJob {
  std::string destination;
  std::string sop_instance_uid;
  std::string study_uid;
  std::string sop_class_uid;
  std::string transfer_syntax_uid;
  std::string spool_path;
  int attempts = 0;            // failed attempts so far
  UtcTime received_at{};       // when the instance reached Sundial (forward latency)
};

struct AckOutcome {
  // True when this was the instance's last destination: the spool file may be removed.
  bool instance_done = false;
};

struct QueueDepth {
  long long ready = 0;
  long long in_flight = 0;
  long long waiting = 0;       // failed, waiting for the retry time
  long long dead = 0;
};

struct DeadLetter {
  std::string sop_instance_uid;
  std::string study_uid;
  std::string reason;
  UtcTime at{};
};

class ForwardQueue {
 public:
  virtual ~ForwardQueue() = default;

  // Moves up to `max` ready jobs of `destination` into `worker`'s in-flight list. When none
  // is ready, waits up to `wait` for the first one.
  virtual Result<std::vector<ForwardJob>> claim(const std::string& destination,
                                                const std::string& worker, int max,
                                                std::chrono::milliseconds wait) = 0;

  // The job reached the destination: remove it from in flight, count it sent.
  virtual Result<AckOutcome> acknowledge(const ForwardJob& job, const std::string& worker) = 0;

  // The job failed in a way that may pass later: wait until `due`, count the attempt.
  virtual Result<void> retryLater(const ForwardJob& job, const std::string& worker, UtcTime due,
                                  const std::string& reason) = 0;

  // The job will not be retried: keep it with its reason in the dead-letter list.
  virtual Result<AckOutcome> deadLetter(const ForwardJob& job, const std::string& worker,
                                        const std::string& reason) = 0;

  // Moves waiting jobs whose time has come back to ready; returns how many moved.
  virtual Result<int> promoteDueRetries(const std::string& destination, UtcTime now) = 0;

  // Puts `worker`'s in-flight jobs back to ready (after a restart); returns how many.
  virtual Result<int> reclaim(const std::string& destination, const std::string& worker) = 0;

  virtual Result<QueueDepth> depth(const std::string& destination) = 0;
  virtual Result<std::vector<DeadLetter>> deadLetters(const std::string& destination,
                                                      int limit) = 0;
};

}  // namespace sundial::engine
