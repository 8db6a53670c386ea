#pragma once
// OrderStore: where orders, study-order links, studies waiting for their order, the
// exception list and patients live. Implemented on Redis in adapters/redis (keys order:,
// orders:, match:, exceptions, patient:); a fake lives in tests/support. One instance
// belongs to one thread (it owns a connection). Each method is one round trip; each change
// of several keys is one script, so a crash never leaves a link half made.

#include <optional>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/order.h"
#include "engine/domain/patient.h"
#include "engine/domain/result.h"
#include "engine/orders/order_lookup.h"

namespace sundial::engine {

// A link as stored (OrderLink without the order itself).
struct StoredLink {
  std::string study_uid;
  std::string order_key;
  LinkReason reason = LinkReason::Accession;
  bool cancelled = false;
  UtcTime linked_at{};
};

// What the matcher needs of a study waiting for its order, to match it when one arrives.
struct WaitingStudy {
  std::string study_uid;
  std::string site;
  std::string accession_number;
  std::string patient_id;
  std::string modality;
  UtcTime study_time{};  // the study's date/time (see study_time.h)
};

struct ExceptionEntry {
  std::string study_uid;
  std::string site;
  UtcTime since{};
};

// What a merge moved from the prior patient ID to the surviving one.
struct MergeMoves {
  std::vector<std::string> order_keys;
  std::vector<std::string> waiting_study_uids;
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;

  // Stores the order under `key` (replacing the previous version, re-indexed by accession
  // and patient ID within its site).
  virtual Result<void> putOrder(const std::string& key, const Order& order) = 0;
  virtual Result<std::optional<Order>> order(const std::string& key) = 0;
  // Keys of the site's orders with that accession number / patient ID.
  virtual Result<std::vector<std::string>> ordersByAccession(const std::string& site,
                                                             const std::string& accession) = 0;
  virtual Result<std::vector<std::string>> ordersByPatient(const std::string& site,
                                                           const std::string& patient_id) = 0;
  // Keys of the most recently received orders, newest first.
  virtual Result<std::vector<std::string>> recentOrders(int limit) = 0;

  // Links the study to the order (replacing an earlier link) and takes the study off the
  // waiting and exception lists.
  virtual Result<void> link(const StoredLink& link) = 0;
  virtual Result<std::optional<StoredLink>> linkOf(const std::string& study_uid) = 0;
  virtual Result<std::vector<std::string>> studiesOf(const std::string& order_key) = 0;

  // Keeps the study as waiting for its order until `due` (then the exception list). No
  // change when it is linked, already waiting or already an exception.
  virtual Result<void> addWaiting(const WaitingStudy& study, UtcTime due) = 0;
  // Studies without an order (waiting or exceptions) of the site with that accession
  // number or patient ID (either may be empty).
  virtual Result<std::vector<WaitingStudy>> waitingFor(const std::string& site,
                                                       const std::string& accession,
                                                       const std::string& patient_id) = 0;
  // Waiting studies whose due time has come, at most `max`.
  virtual Result<std::vector<std::string>> dueWaiting(UtcTime now, int max) = 0;
  // Moves the study (which must have been added as waiting) to the exception list; it stays
  // matchable there. False when it is linked meanwhile or was an exception already.
  virtual Result<bool> addException(const std::string& study_uid, UtcTime since) = 0;
  // Oldest first.
  virtual Result<std::vector<ExceptionEntry>> exceptions(int limit) = 0;

  virtual Result<void> putPatient(const PatientDemographics& patient) = 0;
  // The ID a patient has now: `patient_id` itself, or the surviving ID of the merges it went
  // through (a study or order may still arrive under an ID merged away).
  virtual Result<std::string> currentPatientId(const std::string& site,
                                               const std::string& patient_id) = 0;
  // Moves the prior ID's orders and unlinked studies to the surviving ID, and remembers the
  // merge on the prior patient.
  virtual Result<MergeMoves> mergePatient(const PatientMergeRequest& merge) = 0;
};

}  // namespace sundial::engine
