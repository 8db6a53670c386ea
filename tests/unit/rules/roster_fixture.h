#pragma once
// A small roster for the rule tests: two sites in two states and five readers whose licences,
// credentials, modalities, shifts and pools differ in exactly one way each.

#include <memory>

#include "rules/api/input.h"
#include "rules/api/roster.h"

namespace sundial::rules::testing {

// 2026-12-01 is a Tuesday. 15:00 UTC = 09:00 in Chicago (CST, -6), 10:00 in New York.
inline UtcTime tuesdayMorningChicago() { return fromEpochMs(1796137200000LL); }  // 2026-12-01T15:00Z
// 2026-12-05 is a Saturday; 22:00 UTC = 16:00 Chicago.
inline UtcTime saturdayAfternoonChicago() { return fromEpochMs(1796508000000LL); }

inline std::vector<WeeklyWindow> weekdaysDay() { return {{{1, 2, 3, 4, 5}, 7 * 60, 18 * 60}}; }
inline std::vector<WeeklyWindow> always() { return {{{0, 1, 2, 3, 4, 5, 6}, 0, 1440}}; }

inline std::shared_ptr<const Roster> makeRoster() {
  auto roster = std::make_shared<Roster>();
  SiteProfile er;
  er.name = "ER1";
  er.time_zone = "America/Chicago";
  er.state = "TX";
  er.coverage = weekdaysDay();
  er.destinations = {"ARCHIVE"};
  er.sla_minutes = {{OrderPriority::Stat, 30}, {OrderPriority::Routine, 24 * 60}};
  SiteProfile ny;
  ny.name = "NY1";
  ny.time_zone = "America/New_York";
  ny.state = "NY";
  ny.destinations = {"ARCHIVE"};
  roster->sites = {er, ny};
  auto reader = [](std::string id, std::vector<std::string> licences,
                   std::vector<std::string> credentials, std::vector<std::string> subspecialties,
                   std::vector<std::string> modalities, std::string zone,
                   std::vector<WeeklyWindow> shifts, std::string destination,
                   std::vector<std::string> pools) {
    ReaderProfile r;
    r.id = std::move(id);
    r.display_name = "Dr " + r.id;
    r.licences = std::move(licences);
    r.credentials = std::move(credentials);
    r.subspecialties = std::move(subspecialties);
    r.modalities = std::move(modalities);
    r.time_zone = std::move(zone);
    r.shifts = std::move(shifts);
    r.destination = std::move(destination);
    r.pools = std::move(pools);
    return r;
  };
  roster->readers = {
      reader("local1", {"TX"}, {"ER1"}, {}, {"CT", "MR"}, "America/Chicago", weekdaysDay(), "WS1",
             {"local"}),
      reader("neuro1", {"TX", "NY"}, {"ER1", "NY1"}, {"neuro"}, {"CT", "MR"}, "America/New_York",
             always(), "WS2", {"remote"}),
      reader("remote2", {"NY"}, {"ER1", "NY1"}, {}, {"CT"}, "America/New_York", always(), "WS3",
             {"remote"}),
      reader("peds1", {"TX"}, {"ER1"}, {"pediatric"}, {"CR", "CT"}, "America/Chicago", always(),
             "WS4", {"remote"}),
      reader("nocred", {"TX"}, {"NY1"}, {}, {"CT"}, "America/Chicago", always(), "WS4",
             {"remote"}),
  };
  roster->pools = {{"local", false}, {"remote", false}, {"fallback", true}};
  roster->destinations = {"ARCHIVE", "WS1", "WS2", "WS3", "WS4"};
  roster->fallback_pool = "fallback";
  auto finished = roster->finish();
  if (!finished.ok()) throw std::runtime_error(finished.error().describe());
  return roster;
}

// A CT head at ER1 on Tuesday morning, every reader online with no load.
inline DecisionInput ctHeadAtEr() {
  DecisionInput input;
  input.study.key = "study-1";
  input.study.modality = "CT";
  input.study.body_part = "HEAD";
  input.study.description = "CT HEAD WO CONTRAST";
  input.study.image_count = 240;
  input.study.site = "ER1";
  input.study.arrived = tuesdayMorningChicago() - std::chrono::minutes(5);
  input.order.present = true;
  input.order.procedure_code = "CTHEAD";
  input.order.procedure_text = "CT head without contrast";
  input.order.priority = OrderPriority::Routine;
  input.order.reason_for_exam = "headache";
  input.patient.age_years = 54;
  input.patient.sex = "F";
  input.now = tuesdayMorningChicago();
  for (const char* id : {"local1", "neuro1", "remote2", "peds1", "nocred"}) {
    input.readers[id] = ReaderStatus{true, 0.0, 0};
  }
  return input;
}

}  // namespace sundial::rules::testing
