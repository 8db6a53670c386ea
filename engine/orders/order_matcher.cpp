#include "engine/orders/order_matcher.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "engine/domain/log.h"
#include "engine/orders/order_key.h"
#include "engine/orders/study_time.h"

namespace sundial::engine {
namespace {

bool sameModality(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::toupper(static_cast<unsigned char>(x)) ==
           std::toupper(static_cast<unsigned char>(y));
  });
}

std::chrono::milliseconds distance(UtcTime a, UtcTime b) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(a - b);
  return d < std::chrono::milliseconds(0) ? -d : d;
}

// A field a later message leaves empty keeps its earlier value (a cancel often carries only
// the order numbers).
void keepIfEmpty(std::string& now, const std::string& before) {
  if (now.empty()) now = before;
}

}  // namespace

OrderMatcher::OrderMatcher(OrderStore& orders, StateStore& studies, const Clock& clock,
                           config::MatchingConfig config)
    : orders_(orders), studies_(studies), clock_(clock), config_(config) {}

void OrderMatcher::addListener(OrderListener& listener) { listeners_.push_back(&listener); }

WaitingStudy OrderMatcher::waitingOf(const StudyFacts& facts) {
  return {facts.study_uid, facts.site, facts.accession_number, facts.patient_id, facts.modality,
          studyTimeOf(facts)};
}

bool OrderMatcher::matchesByPatient(const WaitingStudy& study, const Order& order) const {
  if (study.patient_id.empty() || order.patient_id != study.patient_id) return false;
  if (order.site != study.site || isWithdrawn(order)) return false;
  // Both carry an accession number and they differ: two different procedures.
  if (!study.accession_number.empty() && !order.accession_number.empty() &&
      study.accession_number != order.accession_number) {
    return false;
  }
  if (!order.modality.empty() && !study.modality.empty() &&
      !sameModality(order.modality, study.modality)) {
    return false;
  }
  return distance(order.ordered_at, study.study_time) <= config_.time_window;
}

Result<std::optional<OrderMatcher::Candidate>> OrderMatcher::findOrderFor(
    const WaitingStudy& study) {
  if (!study.accession_number.empty()) {
    auto keys = orders_.ordersByAccession(study.site, study.accession_number);
    if (!keys) return keys.error();
    std::optional<Candidate> best;
    for (const auto& key : keys.value()) {
      auto order = orders_.order(key);
      if (!order) return order.error();
      if (!order.value()) continue;
      // Prefer a live order, then the newest.
      const Order& o = *order.value();
      const bool better = !best || (isWithdrawn(best->order) && !isWithdrawn(o)) ||
                          (isWithdrawn(best->order) == isWithdrawn(o) &&
                           o.received_at > best->order.received_at);
      if (better) best = Candidate{key, o, LinkReason::Accession};
    }
    if (best) return best;
  }
  if (study.patient_id.empty()) return std::optional<Candidate>{};
  auto keys = orders_.ordersByPatient(study.site, study.patient_id);
  if (!keys) return keys.error();
  std::optional<Candidate> best;
  for (const auto& key : keys.value()) {
    auto order = orders_.order(key);
    if (!order) return order.error();
    if (!order.value() || !matchesByPatient(study, *order.value())) continue;
    const Order& o = *order.value();
    if (!best || distance(o.ordered_at, study.study_time) <
                     distance(best->order.ordered_at, study.study_time)) {
      best = Candidate{key, o, LinkReason::PatientModalityTime};
    }
  }
  return best;
}

Result<OrderLink> OrderMatcher::storeLink(const std::string& study_uid, const std::string& key,
                                          const Order& order, LinkReason reason) {
  OrderLink link{study_uid, key, order, reason, isWithdrawn(order), clock_.utcNow()};
  auto stored =
      orders_.link(StoredLink{study_uid, key, reason, link.cancelled, link.linked_at});
  if (!stored) return stored.error();
  log::info("study_linked", {{"site", order.site},
                             {"study_uid", log::identifying(study_uid)},
                             {"reason", linkReasonName(reason)},
                             {"cancelled", link.cancelled ? "true" : "false"}});
  return link;
}

Result<void> OrderMatcher::notifyLinked(const OrderLink& link) {
  for (OrderListener* listener : listeners_) {
    Result<void> told = link.cancelled ? listener->orderCancelled(link)
                                       : listener->orderLinked(link);
    if (told) continue;
    if (isRetryable(told.error().code)) return told;
    // Not retryable: repeating the change would fail the same way; the link stands.
    log::warn("order_listener_failed", {{"site", link.order.site},
                                        {"study_uid", log::identifying(link.study_uid)},
                                        {"error", told.error().describe()}});
  }
  return okResult();
}

Result<std::optional<OrderLink>> OrderMatcher::orderForStudy(const std::string& study_uid) {
  auto existing = orders_.linkOf(study_uid);
  if (!existing) return existing.error();
  if (existing.value()) {
    const StoredLink& stored = *existing.value();
    auto order = orders_.order(stored.order_key);
    if (!order) return order.error();
    if (order.value()) {
      return std::optional<OrderLink>(OrderLink{study_uid, stored.order_key, *order.value(),
                                                stored.reason, stored.cancelled,
                                                stored.linked_at});
    }
    // The order is gone (should not happen: orders are not deleted); match afresh.
  }
  auto facts = studies_.studyFacts(study_uid);
  if (!facts) return facts.error();
  WaitingStudy study = waitingOf(facts.value());
  // A study may come under an ID merged away before it arrived (ADT^A40 first).
  auto current = orders_.currentPatientId(study.site, study.patient_id);
  if (!current) return current.error();
  study.patient_id = current.value();
  auto candidate = findOrderFor(study);
  if (!candidate) return candidate.error();
  if (candidate.value()) {
    auto link = storeLink(study_uid, candidate.value()->key, candidate.value()->order,
                          candidate.value()->reason);
    if (!link) return link.error();
    return std::optional<OrderLink>(std::move(link).value());
  }
  const UtcTime from = facts->complete ? facts->completed_at : clock_.utcNow();
  auto waiting = orders_.addWaiting(study, from + config_.unmatched_after);
  if (!waiting) return waiting.error();
  return std::optional<OrderLink>{};
}

Result<void> OrderMatcher::markUnmatched(const std::string& study_uid) {
  auto link = orderForStudy(study_uid);
  if (!link) return link.error();
  if (link.value()) return okResult();  // it has its order after all
  auto listed = orders_.addException(study_uid, clock_.utcNow());
  if (!listed) return listed.error();
  return okResult();
}

Result<Order> OrderMatcher::mergedWithPrevious(const std::string& key, const Order& order) {
  auto previous = orders_.order(key);
  if (!previous) return previous.error();
  Order merged = order;
  if (!previous.value()) return merged;
  const Order& before = *previous.value();
  keepIfEmpty(merged.placer_order_number, before.placer_order_number);
  keepIfEmpty(merged.filler_order_number, before.filler_order_number);
  keepIfEmpty(merged.patient_name, before.patient_name);
  keepIfEmpty(merged.birth_date, before.birth_date);
  keepIfEmpty(merged.sex, before.sex);
  keepIfEmpty(merged.modality, before.modality);
  keepIfEmpty(merged.procedure_code, before.procedure_code);
  keepIfEmpty(merged.procedure_text, before.procedure_text);
  keepIfEmpty(merged.reason_for_exam, before.reason_for_exam);
  keepIfEmpty(merged.ordering_provider, before.ordering_provider);
  keepIfEmpty(merged.study_instance_uid, before.study_instance_uid);
  // The order time is when it was first placed.
  merged.ordered_at = before.ordered_at;
  // A cancel seldom repeats the priority (absent reads as routine); the order's stays.
  if (isWithdrawn(merged)) merged.priority = before.priority;
  return merged;
}

Result<void> OrderMatcher::notifyAll(const std::string& key, const Order& order) {
  auto linked = orders_.studiesOf(key);
  if (!linked) return linked.error();
  for (const auto& study_uid : linked.value()) {
    auto stored = orders_.linkOf(study_uid);
    if (!stored) return stored.error();
    const LinkReason reason = stored.value() ? stored.value()->reason : LinkReason::Accession;
    auto link = storeLink(study_uid, key, order, reason);  // the cancelled flag follows the order
    if (!link) return link.error();
    if (auto told = notifyLinked(link.value()); !told) return told;
  }
  return okResult();
}

Result<std::vector<std::string>> OrderMatcher::linkWaitingStudies(const std::string& key,
                                                                  const Order& order) {
  std::vector<std::string> linked;
  auto waiting = orders_.waitingFor(order.site, order.accession_number, order.patient_id);
  if (!waiting) return waiting.error();
  for (const WaitingStudy& study : waiting.value()) {
    std::optional<LinkReason> reason;
    if (!order.accession_number.empty() && study.accession_number == order.accession_number) {
      reason = LinkReason::Accession;  // even a cancelled order: the study must not be read
    } else if (matchesByPatient(study, order)) {
      reason = LinkReason::PatientModalityTime;
    }
    if (!reason) continue;
    auto link = storeLink(study.study_uid, key, order, *reason);
    if (!link) return link.error();
    if (auto told = notifyLinked(link.value()); !told) return told.error();
    linked.push_back(study.study_uid);
  }
  return linked;
}

Result<std::string> OrderMatcher::applyOrder(const Order& message_order) {
  // An order may come under an ID merged away (the RIS had not caught up).
  Order received = message_order;
  auto current = orders_.currentPatientId(received.site, received.patient_id);
  if (!current) return current.error();
  received.patient_id = current.value();
  const std::string key = orderKeyFor(received);
  auto order = mergedWithPrevious(key, received);
  if (!order) return order.error();
  if (auto put = orders_.putOrder(key, order.value()); !put) return put.error();
  log::info("order_stored", {{"site", order->site},
                             {"status", orderStatusName(order->status)},
                             {"priority", orderPriorityName(order->priority)},
                             {"accession", log::identifying(order->accession_number)}});
  // Studies linked before (a change or cancel reaches them), then those waiting for it.
  if (auto told = notifyAll(key, order.value()); !told) return told.error();
  auto linked = linkWaitingStudies(key, order.value());
  if (!linked) return linked.error();
  return key;
}

Result<void> OrderMatcher::applyPatient(const PatientDemographics& patient) {
  return orders_.putPatient(patient);
}

Result<PatientMerge> OrderMatcher::applyMerge(const PatientMergeRequest& request) {
  auto moves = orders_.mergePatient(request);
  if (!moves) return moves.error();
  PatientMerge merge{request.site, request.surviving_patient_id, request.prior_patient_id,
                     moves->order_keys, {}};
  // Studies linked to a moved order: their order now names the surviving patient.
  for (const auto& key : moves->order_keys) {
    auto order = orders_.order(key);
    if (!order) return order.error();
    if (!order.value()) continue;
    auto studies = orders_.studiesOf(key);
    if (!studies) return studies.error();
    merge.study_uids.insert(merge.study_uids.end(), studies->begin(), studies->end());
    if (auto told = notifyAll(key, *order.value()); !told) return told.error();
  }
  // Moved studies without an order: the surviving patient's orders may match them now.
  auto waiting = orders_.waitingFor(request.site, "", request.surviving_patient_id);
  if (!waiting) return waiting.error();
  for (const WaitingStudy& study : waiting.value()) {
    auto candidate = findOrderFor(study);
    if (!candidate) return candidate.error();
    if (!candidate.value()) continue;
    auto link = storeLink(study.study_uid, candidate.value()->key, candidate.value()->order,
                          LinkReason::Merge);
    if (!link) return link.error();
    if (auto told = notifyLinked(link.value()); !told) return told.error();
    merge.study_uids.push_back(study.study_uid);
  }
  merge.study_uids.insert(merge.study_uids.end(), moves->waiting_study_uids.begin(),
                          moves->waiting_study_uids.end());
  std::sort(merge.study_uids.begin(), merge.study_uids.end());
  merge.study_uids.erase(std::unique(merge.study_uids.begin(), merge.study_uids.end()),
                         merge.study_uids.end());
  for (OrderListener* listener : listeners_) {
    auto told = listener->patientMerged(merge);
    if (!told && isRetryable(told.error().code)) return told.error();
    if (!told) log::warn("order_listener_failed", {{"site", merge.site},
                                                   {"error", told.error().describe()}});
  }
  log::info("patients_merged", {{"site", merge.site},
                                {"orders", std::to_string(merge.order_keys.size())},
                                {"studies", std::to_string(merge.study_uids.size())}});
  return merge;
}

Result<OrderLink> OrderMatcher::linkByHand(const std::string& study_uid,
                                           const std::string& order_key) {
  auto facts = studies_.studyFacts(study_uid);
  if (!facts) return facts.error();
  auto order = orders_.order(order_key);
  if (!order) return order.error();
  if (!order.value()) {
    return makeError(ErrorCode::NotFound, "no order has this key", "order=" + order_key);
  }
  if (order.value()->site != facts->site) {
    return makeError(ErrorCode::InvalidInput,
                     "the order belongs to site '" + order.value()->site +
                         "' and the study to site '" + facts->site + "'");
  }
  auto link = storeLink(study_uid, order_key, *order.value(), LinkReason::Manual);
  if (!link) return link.error();
  if (auto told = notifyLinked(link.value()); !told) return told.error();
  return link;
}

Result<OrderLink> OrderMatcher::linkByAccession(const std::string& study_uid,
                                                const std::string& accession) {
  auto facts = studies_.studyFacts(study_uid);
  if (!facts) return facts.error();
  WaitingStudy probe = waitingOf(facts.value());
  probe.accession_number = accession;
  probe.patient_id.clear();  // by accession only
  auto candidate = findOrderFor(probe);
  if (!candidate) return candidate.error();
  if (!candidate.value()) {
    return makeError(ErrorCode::NotFound,
                     "no order of site '" + facts->site + "' has this accession number");
  }
  return linkByHand(study_uid, candidate.value()->key);
}

Result<int> OrderMatcher::sweepUnmatched(int max) {
  auto due = orders_.dueWaiting(clock_.utcNow(), max);
  if (!due) return due.error();
  int listed = 0;
  for (const auto& study_uid : due.value()) {
    auto added = orders_.addException(study_uid, clock_.utcNow());
    if (!added) return added.error();
    if (!added.value()) continue;
    ++listed;
    log::info("study_unmatched", {{"study_uid", log::identifying(study_uid)}});
  }
  return listed;
}

}  // namespace sundial::engine
