#pragma once
// StateStore: the engine's view of live workflow state (studies in flight, instances and
// the destinations each must reach). Implemented on Redis in adapters/redis; a fake lives
// in tests/support. One instance belongs to one thread.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/instance.h"
#include "engine/domain/result.h"
#include "engine/domain/study_facts.h"

namespace sundial::engine {

// One spooled instance to record, with the destinations it must reach and the subset of
// those to enqueue right away (streaming destinations).
struct InstanceRecord {
  SpooledInstance instance;
  std::vector<std::string> destinations;
  std::vector<std::string> enqueue_now;
  // Keep the spool file for the dispatcher (a rule may send the study to a reader) until
  // routeStudy() releases it, whatever the configured destinations have done meanwhile.
  bool hold_for_dispatch = false;
};

// What routeStudy() did: jobs enqueued, and the spool files on the caller's node that nothing
// needs any more now that the dispatch hold is released (the caller removes them; files on
// another node are left to that node, see takeReleasedFiles()).
struct RouteOutcome {
  int enqueued = 0;
  std::vector<std::string> unneeded_files;
};

// A study still receiving instances; used to re-arm the tracker's timers after a restart.
struct OpenStudy {
  std::string study_uid;
  std::string site;
  std::string modality;
  UtcTime last_received_at{};
  std::string node;  // the node that received its latest instance (its tracker watches it)
};

struct DestinationProgress {
  std::string destination;
  long long pending = 0;    // to be sent (ready, in flight or waiting for a retry)
  long long sent = 0;
  long long failed = 0;     // dead-lettered
};

enum class StudyState { Receiving, Complete };

struct StudySummary {
  std::string study_uid;
  std::string site;
  std::string modality;
  StudyState state = StudyState::Receiving;
  long long instances = 0;
  long long bytes = 0;
  UtcTime first_received_at{};
  UtcTime last_received_at{};
  UtcTime completed_at{};   // epoch when not complete
  std::vector<DestinationProgress> destinations;
};

std::string_view studyStateName(StudyState state);

// What recording one instance did.
enum class RecordOutcome {
  Recorded,              // new: recorded, and enqueued for its streaming destinations
  Duplicate,             // already known and still being forwarded: its spool file is in use
  DuplicateFileUnneeded  // already known and forwarded everywhere (or spooled under another
                         // path): this copy's spool file is referenced by nothing
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Records each instance (idempotent per SOP Instance UID: a repeat updates nothing and
  // enqueues nothing twice) and enqueues it for its `enqueue_now` destinations. One round
  // trip for the whole batch. One outcome per record, in order.
  virtual Result<std::vector<RecordOutcome>> recordInstances(
      const std::vector<InstanceRecord>& batch) = 0;

  // Marks the study complete and enqueues every instance of it for `destinations`
  // (idempotent per SOP Instance UID and destination).
  virtual Result<void> completeStudy(const std::string& study_uid, UtcTime completed_at,
                                     const std::vector<std::string>& destinations) = 0;

  // Like completeStudy(), but only if no node has recorded an instance of the study within
  // `quiet` before `completed_at`: a node's timer sees only its own instances, and a study
  // split between nodes may still be arriving at another. Returns nothing when done, else
  // when the study last received an instance (try again `quiet` after that). A study
  // complete already (another node's timer) is left as it is.
  virtual Result<std::optional<UtcTime>> completeStudyIfQuiet(
      const std::string& study_uid, UtcTime completed_at, std::chrono::milliseconds quiet,
      const std::vector<std::string>& destinations) {
    (void)quiet;  // an implementation without other nodes: its own timer is the whole truth
    auto done = completeStudy(study_uid, completed_at, destinations);
    if (!done) return done.error();
    return std::optional<UtcTime>{};
  }

  // Sends the study to more destinations (chosen by dispatch): every instance recorded so far
  // is enqueued for each (idempotent per SOP Instance UID and destination), and instances
  // recorded later follow when the study completes again. Releases the instances' dispatch
  // hold (an empty list only releases it). NotFound for an unknown study.
  virtual Result<RouteOutcome> routeStudy(const std::string& study_uid,
                                          const std::vector<std::string>& destinations) = 0;

  // The study's facts (accession, patient, study date/time, description ... as its first
  // instance had them; instance count and completion as they are now). NotFound when the
  // study is not recorded.
  virtual Result<StudyFacts> studyFacts(const std::string& study_uid) = 0;

  // Studies recorded but not complete.
  virtual Result<std::vector<OpenStudy>> openStudies() = 0;

  // For each SOP Instance UID, whether it has been recorded (spool rebuild after a crash).
  virtual Result<std::vector<bool>> knownInstances(const std::vector<std::string>& sop_uids) = 0;

  // For each SOP Instance UID, whether it is recorded and every destination has it (sent or
  // dead-lettered): its spool file is no longer needed (restart clean-up of removals that a
  // crash interrupted).
  virtual Result<std::vector<bool>> finishedInstances(
      const std::vector<std::string>& sop_uids) = 0;

  // Studies in flight, newest first, with per-destination progress.
  virtual Result<std::vector<StudySummary>> listStudies(int limit) = 0;

  // Forgets studies whose last activity is before `cutoff`, that are complete and have
  // nothing left to send anywhere (their instances included), at most `max` per call.
  // Returns how many were forgotten. Keeps the store from growing without bound; a repeat of
  // a forgotten instance is treated as new.
  virtual Result<int> forgetFinishedStudies(UtcTime cutoff, int max) = 0;

  // Whether the store answers at all.
  virtual Result<void> ping() = 0;

  // Up to `max` spool files of this node that another node's dispatch released (nothing
  // needs them any more): taken off the list, for the caller to remove. Empty for a store
  // without a node name.
  virtual Result<std::vector<std::string>> takeReleasedFiles(int max) {
    (void)max;
    return std::vector<std::string>{};
  }
};

}  // namespace sundial::engine
