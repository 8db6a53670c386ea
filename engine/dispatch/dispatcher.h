#pragma once
// Dispatcher: gives every complete study a routing decision and applies it (DESIGN.md: the
// flow of one study). For each study the dispatch queue hands it:
//   1. its facts (DICOM headers) and its order — waiting up to matching.unmatched_after for
//      an order that has not come, then putting the study on the exception list and going on
//      without one (a study is never left without a decision);
//   2. asks the rules (rules::RuleEngine: safety checks and fallback included) with the
//      readers' presence and load from the worklist;
//   3. applies the decision: a push pool's task goes to its least-loaded eligible reader; a
//      patient's unread studies stay with the reader who has the others, when eligible; the
//      images go to the chosen reader's workstation and the decision's destinations; the read
//      task is created (or, for a re-dispatch, reassigned); the decision is recorded (replay,
//      audit) with the candidates rejected and why.
// It also re-dispatches tasks left unclaimed too long or whose reader went offline or off
// shift (that reader is excluded for the study), and studies whose task escalated.
//
// One thread (run()); its collaborators are its own (one Redis connection each), except the
// rule engine and the task service, which are thread-safe.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "engine/audit/audit_sink.h"
#include "engine/config/config.h"
#include "engine/dispatch/decision_log.h"
#include "engine/dispatch/dispatch_queue.h"
#include "engine/domain/clock.h"
#include "engine/metrics/metrics.h"
#include "engine/orders/order_lookup.h"
#include "engine/store/cluster_lease.h"
#include "engine/store/spool.h"
#include "engine/store/state_store.h"
#include "rules/engine/rule_engine.h"
#include "worklist/reader_presence.h"
#include "worklist/task_service.h"

namespace sundial::engine {

struct DispatcherOptions {
  std::chrono::milliseconds lease{30000};        // a taken study comes back after this
  int batch = 16;                                // studies taken at a time
  std::chrono::milliseconds idle_wait{200};      // sleep when nothing is due
  std::chrono::milliseconds reopened_retry{5000};  // a study receiving again: look later
  // A task assigned (pushed) to a reader who has not claimed it this long is re-dispatched.
  std::chrono::milliseconds unclaimed_reassign_after{std::chrono::minutes(10)};
  std::chrono::milliseconds sweep_interval{15000};  // how often assigned tasks are checked
};

struct DispatcherParts {
  DispatchQueue& queue;
  StateStore& studies;
  OrderLookup& orders;
  rules::RuleEngine& rules;
  worklist::TaskService& tasks;
  worklist::ReaderPresence& presence;
  DecisionLog& decisions;
  AuditSink& audit;
  Spool& spool;  // removes files the dispatch hold kept and nothing needs any more
};

// What dispatching one study came to (for tests and logs).
enum class DispatchOutcome {
  Dispatched,    // a task was created or reassigned
  Waiting,       // postponed: its order may still come, or it is receiving again
  Skipped,       // no read wanted (the order was cancelled) or the study is gone
  Failed,        // a collaborator failed (Redis down): the lease brings it back
};

class Dispatcher {
 public:
  Dispatcher(std::shared_ptr<const config::Config> config, DispatcherParts parts,
             const Clock& clock, Metrics& metrics, DispatcherOptions options = {});

  // Dispatches what is due; sweeps assigned tasks when the sweep interval has passed.
  // Returns how many studies were looked at.
  int runOnce();
  void run(const std::atomic<bool>& stop);

  // With several nodes: the sweep of assigned tasks runs on the node holding `lease` for the
  // sweep interval (named after the work, held by `node`), so a task is re-dispatched once,
  // not once per node. Before run(); `lease` must outlive the dispatcher.
  void shareSweepsThrough(ClusterLease& lease, std::string node);

  DispatchOutcome dispatchStudy(const std::string& study_uid);
  // Re-dispatches assigned tasks left unclaimed, or whose reader is offline or off shift.
  void sweepAssignedTasks();

 private:
  struct Applied {
    std::string reader;
    std::string pool;
    std::vector<std::string> reasons;
  };
  std::optional<std::string> readerWithPatientsOtherStudy(const StudyFacts& facts,
                                                          const rules::DecisionInput& input,
                                                          const std::string& study_uid);
  // Releases the study's dispatch hold (after routing it to `destinations`) and removes the
  // spool files nothing needs any more. false when the store failed.
  bool route(const std::string& study_uid, const std::vector<std::string>& destinations);
  void auditDecision(const StudyFacts& facts, const rules::DecisionRecord& record,
                     const Applied& applied, const std::string& task_id,
                     const std::string& decision_id);

  std::shared_ptr<const config::Config> config_;
  DispatcherParts parts_;
  const Clock& clock_;
  DispatcherOptions options_;
  std::uint64_t sequence_ = 0;
  std::optional<UtcTime> next_sweep_;
  ClusterLease* sweep_lease_ = nullptr;
  std::string node_;
  Counter& dispatched_;
  Counter& fallbacks_;
  Counter& redispatched_;
};

}  // namespace sundial::engine
