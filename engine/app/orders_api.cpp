#include "engine/app/orders_api.h"

#include <nlohmann/json.hpp>

#include "engine/app/api_json.h"
#include "engine/domain/log.h"

namespace sundial::app {
namespace {

using adapters::http::jsonError;
using adapters::http::Request;
using adapters::http::Response;
using nlohmann::json;

constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;

json orderJson(const std::string& key, const Order& o) {
  return {{"order", key},
          {"site", o.site},
          {"accession_number", o.accession_number},
          {"placer_order_number", o.placer_order_number},
          {"filler_order_number", o.filler_order_number},
          {"patient_id", o.patient_id},
          {"patient_name", o.patient_name},
          {"birth_date", o.birth_date},
          {"sex", o.sex},
          {"modality", o.modality},
          {"procedure_code", o.procedure_code},
          {"procedure_text", o.procedure_text},
          {"priority", orderPriorityName(o.priority)},
          {"reason_for_exam", o.reason_for_exam},
          {"ordering_provider", o.ordering_provider},
          {"study_instance_uid", o.study_instance_uid},
          {"status", orderStatusName(o.status)},
          {"ordered_at_ms", epochMsOrNull(o.ordered_at)},
          {"received_at_ms", epochMsOrNull(o.received_at)}};
}

json linkJson(const engine::OrderLink& link) {
  return {{"study_uid", link.study_uid},
          {"reason", engine::linkReasonName(link.reason)},
          {"cancelled", link.cancelled},
          {"linked_at_ms", epochMsOrNull(link.linked_at)},
          {"order", orderJson(link.order_key, link.order)}};
}

}  // namespace

OrdersApi::OrdersApi(std::unique_ptr<engine::OrderStore> orders,
                     std::unique_ptr<engine::StateStore> studies, const Clock& clock,
                     config::MatchingConfig matching)
    : orders_(std::move(orders)),
      studies_(std::move(studies)),
      matcher_(*orders_, *studies_, clock, matching) {}

void OrdersApi::addListener(engine::OrderListener& listener) { matcher_.addListener(listener); }

void OrdersApi::install(adapters::http::HttpServer& server) {
  // Dispatchers and admins: the studies that came without an order, with what is needed to
  // find it.
  server.route("GET", "/api/v1/exceptions", [this](const Request& r) { return exceptions(r); });
  // Dispatchers and admins: link an exception's study to its order by hand.
  server.route("POST", "/api/v1/exceptions/*", [this](const Request& r) { return link(r); });
  // Dispatchers, admins and the worklist: orders by site and accession number.
  server.route("GET", "/api/v1/orders", [this](const Request& r) { return orders(r); });
}

Response OrdersApi::exceptions(const Request& request) {
  auto limit = limitParam(request, kDefaultLimit, kMaxLimit);
  if (!limit) return describedError(limit.error());
  std::lock_guard lock(mutex_);
  auto listed = orders_->exceptions(limit.value());
  if (!listed) return describedError(listed.error());
  json out = json::array();
  for (const engine::ExceptionEntry& entry : listed.value()) {
    json item = {{"study_uid", entry.study_uid},
                 {"site", entry.site},
                 {"unmatched_since_ms", epochMsOrNull(entry.since)}};
    // The facts a dispatcher needs to find the order; a forgotten study keeps its entry.
    if (auto facts = studies_->studyFacts(entry.study_uid); facts) {
      const StudyFacts& f = facts.value();
      item["modality"] = f.modality;
      item["accession_number"] = f.accession_number;
      item["patient_id"] = f.patient_id;
      item["patient_name"] = f.patient_name;
      item["birth_date"] = f.birth_date;
      item["sex"] = f.sex;
      item["study_date"] = f.study_date;
      item["study_time"] = f.study_time;
      item["study_description"] = f.study_description;
      item["body_part_examined"] = f.body_part_examined;
      item["referring_physician"] = f.referring_physician;
      item["instances"] = f.instances;
      item["completed_at_ms"] = epochMsOrNull(f.completed_at);
    } else if (facts.error().code != ErrorCode::NotFound) {
      return describedError(facts.error());
    }
    out.push_back(std::move(item));
  }
  return jsonResponse(200, {{"exceptions", out}});
}

Response OrdersApi::link(const Request& request) {
  auto parsed = linkRequestFrom(request.path_tail, request.body);
  if (!parsed) {
    return jsonError(parsed.error().code == ErrorCode::NotFound ? 404 : 400,
                     parsed.error().message);
  }
  const LinkRequest& wanted = parsed.value();
  const std::string& study_uid = wanted.study_uid;
  std::lock_guard lock(mutex_);
  auto linked = wanted.by_accession
                    ? matcher_.linkByAccession(study_uid, wanted.accession_number)
                    : matcher_.linkByHand(study_uid, wanted.order_key);
  if (!linked) return describedError(linked.error());
  log::info("study_linked_by_hand", {{"site", linked->order.site},
                                     {"study_uid", log::identifying(study_uid)}});
  return jsonResponse(200, linkJson(linked.value()));
}

Response OrdersApi::orders(const Request& request) {
  auto limit = limitParam(request, kDefaultLimit, kMaxLimit);
  if (!limit) return describedError(limit.error());
  auto site = request.query.find("site");
  auto accession = request.query.find("accession");
  std::lock_guard lock(mutex_);
  Result<std::vector<std::string>> keys = std::vector<std::string>{};
  if (accession != request.query.end()) {
    if (site == request.query.end()) {
      return jsonError(400, "accession needs site: an accession number is unique within a site");
    }
    keys = orders_->ordersByAccession(site->second, accession->second);
  } else {
    keys = orders_->recentOrders(limit.value());
  }
  if (!keys) return describedError(keys.error());
  json out = json::array();
  for (const std::string& key : keys.value()) {
    auto order = orders_->order(key);
    if (!order) return describedError(order.error());
    if (!order.value()) continue;
    if (site != request.query.end() && order.value()->site != site->second) continue;
    json item = orderJson(key, *order.value());
    auto studies = orders_->studiesOf(key);
    if (!studies) return describedError(studies.error());
    item["study_uids"] = studies.value();
    out.push_back(std::move(item));
  }
  return jsonResponse(200, {{"orders", out}});
}

}  // namespace sundial::app
