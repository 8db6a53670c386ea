#include "hl7/mapping/order_message.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <span>
#include <string>

#include "hl7/mapping/hl7_time.h"
#include "hl7/mapping/patient_fields.h"
#include "hl7/message/segments.h"

namespace sundial::hl7::mapping {
namespace {

// Table 0119 codes, by what they do to the order.
constexpr std::string_view kNewOrder = "NW";
constexpr std::string_view kCancelCodes[] = {"CA", "OC", "CR"};
constexpr std::string_view kDiscontinueCodes[] = {"DC", "OD", "DR"};
constexpr std::string_view kChangeCodes[] = {"XO", "XR", "SC", "SS", "RE", "OK", "SN", "NA",
                                             "RO", "RP", "RR", "HD", "OH", "RL", "OR", "XX"};

bool isOneOf(std::string_view code, std::span<const std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Table 0038 (ORC-5) to our status; empty or unknown keeps the order scheduled.
OrderStatus statusFromOrc5(std::string_view order_status) {
  if (order_status == "IP" || order_status == "A") return OrderStatus::InProgress;
  if (order_status == "CM") return OrderStatus::Completed;
  if (order_status == "CA") return OrderStatus::Cancelled;
  if (order_status == "DC") return OrderStatus::Discontinued;
  return OrderStatus::Scheduled;
}

// One ORC and what belongs to it (up to the next ORC).
struct OrderGroup {
  std::size_t orc = 0;
  std::optional<std::size_t> obr;
  std::optional<std::size_t> tq1;
  std::optional<std::size_t> ipc;
  std::optional<std::size_t> zds;
};

std::vector<OrderGroup> orderGroups(const Message& message) {
  std::vector<OrderGroup> groups;
  for (std::size_t s = 0; s < message.segmentCount(); ++s) {
    const std::string_view id = message.segmentId(s);
    if (id == "ORC") {
      groups.push_back({s, {}, {}, {}, {}});
      continue;
    }
    if (groups.empty()) continue;
    OrderGroup& group = groups.back();
    if (id == "OBR" && !group.obr) group.obr = s;
    if (id == "TQ1" && !group.tq1) group.tq1 = s;
    if (id == "IPC" && !group.ipc) group.ipc = s;
    if (id == "ZDS" && !group.zds) group.zds = s;
  }
  return groups;
}

std::string valueAt(const Message& message, std::optional<std::size_t> segment,
                    std::size_t field, std::size_t component = 1) {
  if (!segment) return {};
  return message.value(*segment, {field, 1, component, 1});
}

std::string firstNonEmpty(std::initializer_list<std::string> values) {
  for (const auto& value : values) {
    if (!value.empty()) return value;
  }
  return {};
}

OrderPriority priorityOf(const Message& message, const OrderGroup& group,
                         const CommonOrder& orc) {
  // ORC-7.6, then OBR-27.6, then TQ1-9 (v2.5+ moved the priority there).
  std::string code = firstNonEmpty({orc.priority, valueAt(message, group.obr, 27, 6),
                                    valueAt(message, group.tq1, 9)});
  return orderPriorityFor(code);
}

Result<UtcTime> orderedAtOf(const Message& message, const OrderGroup& group,
                            const CommonOrder& orc, UtcTime received_at) {
  if (!orc.transaction_date_time.empty()) {
    return parseHl7Time(orc.transaction_date_time, "ORC-9");
  }
  const std::string obr7 = valueAt(message, group.obr, 7);
  if (!obr7.empty()) return parseHl7Time(obr7, "OBR-7");
  return received_at;
}

Result<Order> mapGroup(const Message& message, const OrderGroup& group,
                       const PatientIdentification& pid, std::string_view site,
                       UtcTime received_at) {
  const CommonOrder orc = *readCommonOrder(message, group.orc);
  std::optional<ObservationRequest> obr;
  if (group.obr) obr = readObservationRequest(message, *group.obr);

  Order order;
  order.site = site;
  auto status = orderStatusFor(orc.order_control, orc.order_status);
  if (!status) return status.error();
  order.status = status.value();

  order.placer_order_number =
      firstNonEmpty({orc.placer_order_number.id, obr ? obr->placer_order_number.id : ""});
  order.filler_order_number =
      firstNonEmpty({orc.filler_order_number.id, obr ? obr->filler_order_number.id : ""});
  // IHE: IPC-1; most RIS: OBR-18; else the filler number identifies the procedure.
  order.accession_number =
      firstNonEmpty({valueAt(message, group.ipc, 1), obr ? obr->placer_field_1 : "",
                     order.filler_order_number});
  if (order.accession_number.empty() && order.placer_order_number.empty()) {
    return makeError(ErrorCode::InvalidInput,
                     "no accession number (IPC-1, OBR-18, OBR-3, ORC-3) and no placer order "
                     "number (ORC-2, OBR-2): the order cannot be identified");
  }

  auto patient_id = patientIdOf(pid);
  if (!patient_id) return patient_id.error();
  order.patient_id = patient_id.value();
  order.patient_name = personNameText(pid.name);
  order.birth_date = pid.birth_date.substr(0, 8);
  order.sex = pid.sex;

  order.modality = firstNonEmpty(
      {valueAt(message, group.ipc, 5), obr ? obr->diagnostic_service_section : ""});
  if (obr) {
    order.procedure_code = obr->universal_service_id.identifier;
    order.procedure_text = obr->universal_service_id.text;
    order.reason_for_exam = firstNonEmpty({obr->reason_for_study, valueAt(message, group.obr, 13)});
  }
  order.priority = priorityOf(message, group, orc);
  const Clinician& provider =
      !orc.ordering_provider.name.family.empty() || !obr ? orc.ordering_provider
                                                         : obr->ordering_provider;
  order.ordering_provider = personNameText(provider.name);
  order.study_instance_uid =
      firstNonEmpty({valueAt(message, group.ipc, 3), valueAt(message, group.zds, 1)});
  auto ordered_at = orderedAtOf(message, group, orc, received_at);
  if (!ordered_at) return ordered_at.error();
  order.ordered_at = ordered_at.value();
  order.received_at = received_at;
  return order;
}

}  // namespace

Result<OrderStatus> orderStatusFor(std::string_view order_control,
                                   std::string_view order_status) {
  if (order_control.empty()) {
    return makeError(ErrorCode::InvalidInput, "ORC-1 (order control) is empty");
  }
  if (order_control == kNewOrder) {
    return order_status.empty() ? OrderStatus::Scheduled : statusFromOrc5(order_status);
  }
  if (isOneOf(order_control, kCancelCodes)) return OrderStatus::Cancelled;
  if (isOneOf(order_control, kDiscontinueCodes)) return OrderStatus::Discontinued;
  if (isOneOf(order_control, kChangeCodes)) return statusFromOrc5(order_status);
  return makeError(ErrorCode::InvalidInput,
                   "ORC-1 order control '" + std::string(order_control.substr(0, 8)) +
                       "' is not one Sundial understands (NW, XO, SC, CA, DC ...)");
}

OrderPriority orderPriorityFor(std::string_view code) {
  const std::string c = upper(code);
  if (c == "S" || c == "STAT") return OrderPriority::Stat;
  if (c == "A" || c == "P" || c == "C" || c == "T" || c == "ASAP" || c == "URGENT") {
    return OrderPriority::Urgent;
  }
  return OrderPriority::Routine;
}

Result<std::vector<Order>> mapOrderMessage(const Message& message, std::string_view site,
                                           UtcTime received_at) {
  const MessageHeader header = readMessageHeader(message);
  const std::string type = header.message_code + "^" + header.trigger_event;
  auto pid = firstPatient(message, type);
  if (!pid) return pid.error();
  const std::vector<OrderGroup> groups = orderGroups(message);
  if (groups.empty()) {
    return makeError(ErrorCode::InvalidInput, "ORC segment missing: " + type + " carries no order");
  }
  std::vector<Order> orders;
  orders.reserve(groups.size());
  for (const OrderGroup& group : groups) {
    auto order = mapGroup(message, group, pid.value(), site, received_at);
    if (!order) {
      Error error = order.error();
      error.context = "ORC #" + std::to_string(orders.size() + 1) + " of " + type;
      return error;
    }
    orders.push_back(std::move(order).value());
  }
  return orders;
}

}  // namespace sundial::hl7::mapping
