#pragma once
// ForwardWorker: one thread that forwards jobs of one destination. It claims a batch from
// the durable queue, sends each job over its kept-open association, and acknowledges,
// retries (with backoff) or dead-letters each one. Owns its queue connection and its sender.
// start()/stop() from the owning thread (the app); everything else runs on the worker thread.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "engine/audit/audit_sink.h"
#include "engine/config/config.h"
#include "engine/domain/clock.h"
#include "engine/forward/instance_sender.h"
#include "engine/forward/retry_policy.h"
#include "engine/metrics/metrics.h"
#include "engine/store/forward_queue.h"
#include "engine/store/spool.h"

namespace sundial::engine {

// What one step of the worker did; the loop decides what comes next from it.
enum class ForwardStep { Idle, Continue, RetryLater, Stopped };

struct ForwardWorkerOptions {
  std::string destination;
  std::string worker_id;           // stable across restarts: its in-flight list is reclaimed
  bool promotes_retries = false;   // one worker per destination moves due retries to ready
  bool keep_forwarded = false;     // keep spool files after every destination has them
  int batch_size = 32;
  std::chrono::milliseconds claim_wait{500};
  std::chrono::milliseconds idle_association_timeout{5000};
  // Where forwarded (one record per study and batch) and dead-lettered instances are
  // recorded; none: not recorded. Must outlive the worker.
  AuditSink* audit = nullptr;
};

class ForwardWorker {
 public:
  ForwardWorker(ForwardWorkerOptions options, std::unique_ptr<ForwardQueue> queue,
                std::unique_ptr<InstanceSender> sender, Spool& spool, RetryPolicy retry,
                const Clock& clock, Metrics& metrics);
  ~ForwardWorker();

  void start();
  // Finishes the job in hand, releases the association and joins. Jobs claimed but not yet
  // sent stay in this worker's in-flight list and are reclaimed at the next start.
  void stop();

  // One claim-and-send round; public so tests can drive the worker without its thread.
  ForwardStep stepForTest() { return step(); }

 private:
  void run();
  ForwardStep step();
  // `log_each`: false for the rest of a batch postponed with the job that failed first.
  void handleFailure(const ForwardJob& job, const Error& error, bool log_each);
  void finish(const ForwardJob& job, const AckOutcome& outcome);
  void recordForwarded(const std::map<std::string, int>& sent_by_study);

  ForwardWorkerOptions options_;
  std::unique_ptr<ForwardQueue> queue_;
  std::unique_ptr<InstanceSender> sender_;
  Spool& spool_;
  RetryPolicy retry_;
  const Clock& clock_;
  Counter& forwarded_;
  Counter& failures_;
  Counter& dead_lettered_;
  Histogram& latency_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  SteadyTime last_activity_{};
  SteadyTime last_promotion_{};
  bool association_idle_released_ = true;
  bool reclaimed_ = false;
  bool queue_unreachable_ = false;
};

}  // namespace sundial::engine
