#pragma once
// WorkflowLoop: the engine's event loop (one thread). It takes InstanceSpooled events from
// the bus, records them in the state store with the destinations routing gives them
// (streaming destinations are enqueued at once), feeds the study tracker, and when a study's
// quiet period passes records it complete and enqueues its on-completion destinations.
//
// It owns the tracker and its StateStore connection; nothing else touches them. With several
// nodes (config node.name), its tracker watches the studies this node receives; another
// node's open study is completed here only when that node has gone quiet past a grace. Instances
// that cannot be recorded (store down) are kept and retried, never dropped: they are on disk
// already, and `accepting` tells the receivers to refuse new work until the store is back.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

#include "engine/bus/event_bus.h"
#include "engine/config/config.h"
#include "engine/dispatch/static_routing.h"
#include "engine/domain/clock.h"
#include "engine/metrics/metrics.h"
#include "engine/store/spool.h"
#include "engine/store/state_store.h"
#include "engine/tracker/study_tracker.h"

namespace sundial::engine {

// Reads a spooled file's header back into a SpooledInstance (for the restart rescan).
using SpoolHeaderReader = std::function<Result<SpooledInstance>(const std::filesystem::path&)>;

class WorkflowLoop {
 public:
  WorkflowLoop(std::shared_ptr<const config::Config> config, StateStore& store,
               EventSubscriber& events, Spool& spool, const Clock& clock, Metrics& metrics,
               std::atomic<bool>& accepting);

  // After a restart: re-arms timers of studies still receiving, and records every spooled
  // file the store does not know (acknowledged to its sender, then the process died).
  Result<void> recover(const SpoolHeaderReader& read_header);

  // Waits for events or the next timer (at most `max_wait`), handles them to completion.
  void runOnce(std::chrono::milliseconds max_wait);

  // Runs until `stop` becomes true.
  void run(const std::atomic<bool>& stop);

  size_t pendingRecordsForTest() const { return pending_.size(); }

 private:
  void handle(std::vector<Event>& events);
  void flushPending();
  void recordAlone(const InstanceRecord& record);
  // Duplicates: removes a repeated instance's spool file when nothing will read it.
  void settleOutcomes(const std::vector<InstanceRecord>& batch,
                      const std::vector<RecordOutcome>& outcomes);
  void completeDueStudies();
  void checkStore();
  void forgetFinishedStudies();
  // With several nodes: removes this node's files another node released, and completes
  // studies a node that went away left open.
  void sweepForNode();
  void removeReleasedFiles();
  void completeOrphanedStudies();
  void setAccepting(bool accepting, const Error* why);
  InstanceRecord recordFor(const SpooledInstance& instance) const;

  std::shared_ptr<const config::Config> config_;
  StateStore& store_;
  EventSubscriber& events_;
  Spool& spool_;
  const Clock& clock_;
  StaticRouting routing_;
  StudyTracker tracker_;
  std::atomic<bool>& accepting_;
  std::deque<InstanceRecord> pending_;      // spooled but not yet recorded
  std::vector<CompletedStudy> completions_; // complete but not yet recorded
  SteadyTime next_store_check_{};
  SteadyTime next_retention_sweep_{};
  SteadyTime next_node_sweep_{};
  SteadyTime next_orphan_sweep_{};
  Counter& recorded_;
  Counter& completed_;
  Counter& duplicates_;
  Gauge& open_studies_;
};

}  // namespace sundial::engine
