#pragma once
// OrderLookup: what the dispatcher asks of orders and matching. Implemented by engine/orders
// on Redis (keys order:, orders:, match:, exceptions). One instance belongs to one thread
// (it owns a Redis connection): serve makes one for the dispatcher thread.

#include <optional>
#include <string>
#include <string_view>

#include "engine/domain/clock.h"
#include "engine/domain/order.h"
#include "engine/domain/result.h"

namespace sundial::engine {

// How a study came to be linked to its order.
enum class LinkReason {
  Accession,            // same accession number within the site
  PatientModalityTime,  // same site, patient ID and modality, times within matching.time_window
  Manual,               // POST /api/v1/exceptions/{study_uid}/link
  Merge,                // re-linked after ADT^A40 moved the study to the surviving patient ID
};
// The reason's name in the API, logs and Redis.
inline std::string_view linkReasonName(LinkReason reason) {
  switch (reason) {
    case LinkReason::Accession: return "accession";
    case LinkReason::PatientModalityTime: return "patient_modality_time";
    case LinkReason::Manual: return "manual";
    case LinkReason::Merge: return "merge";
  }
  return "accession";
}

struct OrderLink {
  std::string study_uid;
  std::string order_key;    // the order store's stable key for the order ("<site>|<id>")
  Order order;              // the order as stored now (status, priority, reason for exam ...)
  LinkReason reason = LinkReason::Accession;
  bool cancelled = false;   // the order was cancelled or discontinued: no read is wanted
  UtcTime linked_at{};
};

class OrderLookup {
 public:
  virtual ~OrderLookup() = default;

  // The order linked to the study. If none is linked yet, tries to match it now against the
  // stored orders (accession within the site, else patient ID + modality + time window) and
  // stores the link it finds. std::nullopt: no order yet; the matcher keeps the study and
  // links it when its order arrives (then OrderListener::orderLinked). Unavailable when
  // Redis is down (retry).
  virtual Result<std::optional<OrderLink>> orderForStudy(const std::string& study_uid) = 0;

  // Puts the study on the exception list now (the dispatcher will not wait longer for its
  // order). Idempotent; a study that is linked meanwhile is not listed. NotFound when the
  // state store does not know the study.
  virtual Result<void> markUnmatched(const std::string& study_uid) = 0;
};

}  // namespace sundial::engine
