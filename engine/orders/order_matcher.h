#pragma once
// OrderMatcher: links studies to their orders and keeps the links right as orders, cancels,
// merges and manual links arrive. A study matches its order by accession number within the
// site first; else by patient ID + modality with the study's time within
// matching.time_window of the order's time. Either may arrive first: a study without an
// order waits (OrderStore), and an arriving order links the waiting studies it matches. A
// study still unmatched matching.unmatched_after after it completed goes to the exception
// list, where a late order or a manual link still reaches it.
//
// State is in the OrderStore and StateStore it is given, so several matchers (one per
// thread, each with its own store connections) work on the same data. Listeners are told
// after the change is stored; a listener's retryable failure is returned, so the caller
// repeats the whole (idempotent) change.

#include <optional>
#include <string>
#include <vector>

#include "engine/config/matching_config.h"
#include "engine/domain/clock.h"
#include "engine/orders/order_listener.h"
#include "engine/orders/order_lookup.h"
#include "engine/orders/order_store.h"
#include "engine/store/state_store.h"

namespace sundial::engine {

class OrderMatcher final : public OrderLookup {
 public:
  OrderMatcher(OrderStore& orders, StateStore& studies, const Clock& clock,
               config::MatchingConfig config);

  // Before the matcher is used; listeners outlive it.
  void addListener(OrderListener& listener);

  // OrderLookup.
  Result<std::optional<OrderLink>> orderForStudy(const std::string& study_uid) override;
  Result<void> markUnmatched(const std::string& study_uid) override;

  // An order arrived (new, changed, cancelled ...). Stores it (fields a later message leaves
  // empty keep their earlier value), links the waiting studies it matches, and tells the
  // listeners about every study linked to it. Returns the order's key.
  Result<std::string> applyOrder(const Order& order);
  Result<void> applyPatient(const PatientDemographics& patient);
  // Moves the prior patient's orders and studies to the surviving ID, links the moved
  // waiting studies that now match an order, and tells the listeners.
  Result<PatientMerge> applyMerge(const PatientMergeRequest& merge);

  // By hand: NotFound naming what is unknown (the study, the order, the accession number).
  Result<OrderLink> linkByHand(const std::string& study_uid, const std::string& order_key);
  Result<OrderLink> linkByAccession(const std::string& study_uid, const std::string& accession);

  // Moves waiting studies whose time has come to the exception list; how many moved.
  Result<int> sweepUnmatched(int max);

 private:
  struct Candidate {
    std::string key;
    Order order;
    LinkReason reason = LinkReason::Accession;
  };

  Result<std::optional<Candidate>> findOrderFor(const WaitingStudy& study);
  bool matchesByPatient(const WaitingStudy& study, const Order& order) const;
  Result<OrderLink> storeLink(const std::string& study_uid, const std::string& key,
                              const Order& order, LinkReason reason);
  Result<void> notifyLinked(const OrderLink& link);
  Result<void> notifyAll(const std::string& key, const Order& order);
  Result<Order> mergedWithPrevious(const std::string& key, const Order& order);
  Result<std::vector<std::string>> linkWaitingStudies(const std::string& key, const Order& order);
  static WaitingStudy waitingOf(const StudyFacts& facts);

  OrderStore& orders_;
  StateStore& studies_;
  const Clock& clock_;
  config::MatchingConfig config_;
  std::vector<OrderListener*> listeners_;
};

}  // namespace sundial::engine
