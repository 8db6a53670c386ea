#include "engine/dispatch/task_summaries.h"

#include "engine/dispatch/decision_input_builder.h"

namespace sundial::engine {

worklist::OrderSummary orderSummary(const std::optional<OrderLink>& link, const StudyFacts& facts) {
  worklist::OrderSummary summary;
  summary.accession_number = facts.accession_number;
  if (!link) return summary;
  const Order& order = link->order;
  if (!order.accession_number.empty()) summary.accession_number = order.accession_number;
  summary.placer_order_number = order.placer_order_number;
  summary.procedure_code = order.procedure_code;
  summary.procedure_text = order.procedure_text;
  summary.reason_for_exam = order.reason_for_exam;
  summary.ordering_provider = order.ordering_provider;
  return summary;
}

worklist::PatientSummary patientSummary(const std::optional<OrderLink>& link,
                                        const StudyFacts& facts, UtcTime now) {
  worklist::PatientSummary patient;
  const Order* order = link ? &link->order : nullptr;
  auto pick = [](const std::string& from_order, const std::string& from_study) {
    return from_order.empty() ? from_study : from_order;
  };
  patient.patient_id = pick(order ? order->patient_id : "", facts.patient_id);
  patient.name = pick(order ? order->patient_name : "", facts.patient_name);
  patient.sex = pick(order ? order->sex : "", facts.sex);
  std::string birth = pick(order ? order->birth_date : "", facts.birth_date);
  patient.age = displayAge(birth, facts.study_date.empty() ? utcDate(now) : facts.study_date);
  return patient;
}

}  // namespace sundial::engine
