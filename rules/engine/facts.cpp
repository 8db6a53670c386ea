#include "rules/engine/facts.h"

namespace sundial::rules {
namespace {

constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

}  // namespace

Value localTimeValue(const LocalTime& local) {
  Value::Map map;
  map.emplace("year", local.year);
  map.emplace("month", local.month);
  map.emplace("day", local.day);
  map.emplace("hour", local.hour);
  map.emplace("minute", local.minute);
  map.emplace("weekday", local.weekday);
  map.emplace("day_name", kDayNames[local.weekday % 7]);
  map.emplace("minute_of_day", local.minuteOfDay());
  map.emplace("utc_offset_minutes", local.utc_offset_minutes);
  map.emplace("text", local.describe());
  return Value(std::move(map));
}

Value buildFacts(const DecisionInput& input, const SiteProfile& site) {
  Value::Map study;
  study.emplace("modality", input.study.modality);
  study.emplace("body_part", input.study.body_part);
  study.emplace("description", input.study.description);
  study.emplace("images", input.study.image_count);
  study.emplace("site", input.study.site);
  study.emplace("arrived_ms", toEpochMs(input.study.arrived));

  Value::Map order;
  order.emplace("present", input.order.present);
  if (input.order.present) {
    order.emplace("procedure_code", input.order.procedure_code);
    order.emplace("procedure_text", input.order.procedure_text);
    order.emplace("priority", std::string(orderPriorityName(input.order.priority)));
    order.emplace("reason", input.order.reason_for_exam);
    order.emplace("ordering_provider", input.order.ordering_provider);
  }

  Value::Map patient;
  if (input.patient.age_years) patient.emplace("age", *input.patient.age_years);
  patient.emplace("sex", input.patient.sex);

  const LocalTime local = site.zone ? site.zone->localTime(input.now)
                                    : localTimeAtOffset(input.now, std::chrono::seconds(0));
  Value::Map sla;
  for (const auto& [priority, minutes] : site.sla_minutes) {
    sla.emplace(std::string(orderPriorityName(priority)), minutes);
  }
  Value::Map site_map;
  site_map.emplace("name", site.name);
  site_map.emplace("time_zone", site.time_zone);
  site_map.emplace("state", site.state);
  site_map.emplace("sla_minutes", Value(std::move(sla)));
  site_map.emplace("covered", windowsContain(site.coverage, local));
  site_map.emplace("time", localTimeValue(local));

  Value::Map facts;
  facts.emplace("study", Value(std::move(study)));
  facts.emplace("order", Value(std::move(order)));
  facts.emplace("patient", Value(std::move(patient)));
  facts.emplace("site", Value(std::move(site_map)));
  facts.emplace("now_ms", toEpochMs(input.now));
  facts.emplace("sequence", static_cast<std::int64_t>(input.sequence));
  return Value(std::move(facts));
}

}  // namespace sundial::rules
