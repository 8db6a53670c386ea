#include "engine/dispatch/decision_input_builder.h"

#include <cctype>
#include <chrono>

namespace sundial::engine {
namespace {

std::optional<std::chrono::year_month_day> parseDate(const std::string& text) {
  if (text.size() < 8) return std::nullopt;
  for (int i = 0; i < 8; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  int y = std::stoi(text.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(text.substr(4, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(text.substr(6, 2)));
  std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(m),
                                   std::chrono::day(d)};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace

std::string utcDate(UtcTime t) {
  std::chrono::year_month_day date{std::chrono::floor<std::chrono::days>(t)};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

std::optional<int> ageInYears(const std::string& birth_date, const std::string& on_date) {
  auto birth = parseDate(birth_date);
  auto on = parseDate(on_date);
  if (!birth || !on || *on < *birth) return std::nullopt;
  int years = static_cast<int>(on->year()) - static_cast<int>(birth->year());
  if (std::chrono::month_day{on->month(), on->day()} <
      std::chrono::month_day{birth->month(), birth->day()}) {
    --years;
  }
  return years;
}

std::string displayAge(const std::string& birth_date, const std::string& on_date) {
  auto birth = parseDate(birth_date);
  auto on = parseDate(on_date);
  if (!birth || !on || *on < *birth) return "";
  auto years = ageInYears(birth_date, on_date);
  if (years && *years >= 2) return std::to_string(*years) + "Y";
  auto days = (std::chrono::sys_days(*on) - std::chrono::sys_days(*birth)).count();
  if (days >= 31) return std::to_string(days * 12 / 365) + "M";
  return std::to_string(days) + "D";
}

rules::DecisionInput buildDecisionInput(const StudyFacts& facts,
                                        const std::optional<OrderLink>& order,
                                        const std::vector<worklist::ReaderLoad>& readers,
                                        UtcTime now, std::uint64_t sequence) {
  rules::DecisionInput input;
  input.study.key = facts.study_uid;
  input.study.modality = facts.modality;
  input.study.body_part = facts.body_part_examined;
  input.study.description = facts.study_description;
  input.study.image_count = static_cast<int>(facts.instances);
  input.study.site = facts.site;
  input.study.arrived = facts.first_received_at;
  if (order) {
    input.order.present = true;
    input.order.procedure_code = order->order.procedure_code;
    input.order.procedure_text = order->order.procedure_text;
    input.order.priority = order->order.priority;
    input.order.reason_for_exam = order->order.reason_for_exam;
    input.order.ordering_provider = order->order.ordering_provider;
  }
  // The order's demographics are the RIS's, usually fuller than the modality's.
  std::string birth = order && !order->order.birth_date.empty() ? order->order.birth_date
                                                                : facts.birth_date;
  std::string sex = order && !order->order.sex.empty() ? order->order.sex : facts.sex;
  std::string on = facts.study_date.empty() ? utcDate(now) : facts.study_date;
  input.patient.age_years = ageInYears(birth, on);
  input.patient.sex = sex;
  input.now = now;
  for (const auto& reader : readers) {
    rules::ReaderStatus status;
    status.online = reader.online;
    status.load_rvu = reader.open_rvu;
    status.open_tasks = reader.open_tasks;
    input.readers.emplace(reader.reader, status);
  }
  input.sequence = sequence;
  return input;
}

}  // namespace sundial::engine
