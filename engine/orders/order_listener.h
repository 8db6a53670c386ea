#pragma once
// OrderListener: how orders and matching tell the dispatcher and the worklist that a study's
// order changed after they first asked (OrderLookup). Implemented by them; registered with
// the orders component before it starts (serve wires it).
//
// Called after the change is stored in Redis, from the inbox processor thread (orders, ADT)
// or an HTTP thread (manual link): return quickly, e.g. post to your own thread. A failure
// with a retryable code (Unavailable) makes the caller try the whole change again later
// (the HL7 message is taken again), so every method must be idempotent.

#include <string>
#include <vector>

#include "engine/domain/result.h"
#include "engine/orders/order_lookup.h"

namespace sundial::engine {

struct PatientMerge {
  std::string site;
  std::string surviving_patient_id;        // PID-3 of the ADT^A40
  std::string prior_patient_id;            // MRG-1: the ID that no longer exists
  std::vector<std::string> order_keys;     // orders moved to the surviving ID
  std::vector<std::string> study_uids;     // studies moved to the surviving ID
};

class OrderListener {
 public:
  virtual ~OrderListener() = default;

  // The study has an order now, or its linked order changed (priority, reason for exam):
  // a late order, a manual link, a re-link after a merge, an order update (ORC-1 XO/SC).
  virtual Result<void> orderLinked(const OrderLink& link) = 0;

  // The study's order was cancelled or discontinued (ORC-1 CA/DC/OC/OD): its pending read
  // task must be cancelled. `link.cancelled` is true.
  virtual Result<void> orderCancelled(const OrderLink& link) = 0;

  // A patient ID was merged into another (ADT^A40). Links of the moved studies are also
  // reported through orderLinked when they changed.
  virtual Result<void> patientMerged(const PatientMerge& merge) = 0;
};

}  // namespace sundial::engine
