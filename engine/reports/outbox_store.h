#pragma once
// OutboxStore: the durable queue behind the ReportOutbox, per site. Implemented on Redis in
// adapters/redis (RedisReportOutbox). Each sender thread owns one instance; the outbox that
// enqueues owns another.
//
// A delivery holds one ORU^R01, already built in the site's version and character set.
// Life cycle:
//   ready --claim--> in flight (per worker) --markDelivered--> delivered (kept a while)
//                                           --retryLater--> waiting --(due)--> ready
//                                           --deadLetter--> dead, with the reason
//   dead --retryDead (by a person, through the API)--> ready, attempts reset
// A worker's in-flight deliveries go back to ready when it starts again (reclaim).
//
// The outcome of a task's delivery (delivered, or dead) is recorded together with a note that
// the worklist has yet to apply it; the note stays until outcomeApplied(), so that an outcome
// the worklist could not take (its Redis down, the node stopped) is applied later
// (unappliedOutcomes()) instead of being lost with the task left "final".

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::engine {

struct OutboxEntry {
  std::string delivery_id;  // also the message's MSH-10
  std::string task_id;
  std::string site;
  std::string accession_number;  // for the audit trail (never logged)
  std::string patient_id;        // for the audit trail (never logged)
  std::string message;      // HL7 text in the site's character set, no MLLP framing
  int attempts = 0;         // failed tries so far
  std::string last_error;
  UtcTime queued_at{};
};

struct OutboxDepth {
  long long ready = 0;
  long long in_flight = 0;
  long long waiting = 0;  // failed, waiting for their retry time
  long long dead = 0;
};

struct OutboxDeadLetter {
  std::string delivery_id;
  std::string task_id;
  std::string site;
  std::string reason;  // the site's AE/AR text, or why it could not be sent
  int attempts = 0;
  UtcTime at{};
};

// An outcome recorded but not yet confirmed applied by the worklist.
struct OutboxOutcome {
  std::string delivery_id;
  std::string task_id;
  std::string site;
  bool delivered = false;  // false: dead-lettered
  std::string reason;      // the last failure (dead letters)
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Stores the delivery and queues it at the end of its site's ready list. Returns once it
  // is stored. Duplicate when the delivery id is taken.
  virtual Result<void> add(const OutboxEntry& entry) = 0;

  // Moves the oldest ready delivery of `site` into `worker`'s in-flight list; waits up to
  // `wait` when none is ready. nullopt when none came.
  virtual Result<std::optional<OutboxEntry>> claim(const std::string& site, const std::string& worker,
                                                   std::chrono::milliseconds wait) = 0;

  // The site acknowledged it (AA/CA). Accepted even when the delivery is no longer in flight
  // for `worker` (a reclaim raced the send): it reached the site, so it must not go again.
  virtual Result<void> markDelivered(const OutboxEntry& entry, const std::string& worker) = 0;

  // Failed in a way that may pass: waits until `due`, its attempts counted, the reason kept.
  // NotFound when it is not in flight for `worker`.
  virtual Result<void> retryLater(const OutboxEntry& entry, const std::string& worker, UtcTime due,
                                  const std::string& reason) = 0;

  // Given up: kept in the site's dead-letter list with the reason. NotFound when it is not in
  // flight for `worker`.
  virtual Result<void> deadLetter(const OutboxEntry& entry, const std::string& worker,
                                  const std::string& reason) = 0;

  // Moves waiting deliveries whose time has come back to ready; returns how many.
  virtual Result<int> promoteDueRetries(const std::string& site, UtcTime now) = 0;

  // Puts `worker`'s in-flight deliveries back to ready (at its start); returns how many.
  virtual Result<int> reclaim(const std::string& site, const std::string& worker) = 0;

  virtual Result<OutboxDepth> depth(const std::string& site) = 0;
  // Newest first.
  virtual Result<std::vector<OutboxDeadLetter>> deadLetters(const std::string& site, int limit) = 0;

  // A dead delivery goes back to ready (next to be taken) with its attempts reset. Returns
  // its site. NotFound when there is no such delivery or it is not dead.
  virtual Result<std::string> retryDead(const std::string& delivery_id) = 0;

  // The oldest `limit` outcomes of `site` the worklist has not confirmed (delivered or dead
  // only: one a person sent again is left until it has a new outcome).
  virtual Result<std::vector<OutboxOutcome>> unappliedOutcomes(const std::string& site,
                                                               int limit) = 0;
  // The worklist applied it: forget the note. Idempotent.
  virtual Result<void> outcomeApplied(const std::string& site, const std::string& delivery_id) = 0;
};

}  // namespace sundial::engine
