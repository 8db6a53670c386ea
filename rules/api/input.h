#pragma once
// DecisionInput: what a rule is asked about — one study, its order, the patient's age and sex,
// the time now and the state of the readers. Plain values: the dispatcher fills them from Redis
// (reader online status and workload come from the worklist); tests and replay fill them by
// hand or from a recorded decision. The static roster (readers' licences, shifts, sites) is
// passed alongside as a Roster.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/domain/clock.h"
#include "engine/domain/order.h"

namespace sundial::rules {

struct StudyFacts {
  // The engine's key of the study: stored with the decision record, never logged.
  std::string key;
  std::string modality;
  std::string body_part;
  std::string description;
  int image_count = 0;
  std::string site;  // a configured site name
  UtcTime arrived{};
};

struct OrderFacts {
  bool present = false;  // false: no order matched (yet); the other fields are empty
  std::string procedure_code;
  std::string procedure_text;
  OrderPriority priority = OrderPriority::Routine;
  std::string reason_for_exam;
  std::string ordering_provider;
};

// No more identity than a rule needs.
struct PatientFacts {
  std::optional<int> age_years;
  std::string sex;  // F, M, O, U or empty
};

// What the worklist knows about a reader now. A reader with no status is offline.
struct ReaderStatus {
  bool online = false;
  double load_rvu = 0;  // RVUs of open (assigned, unreported) work
  int open_tasks = 0;
};

struct DecisionInput {
  StudyFacts study;
  OrderFacts order;
  PatientFacts patient;
  UtcTime now{};
  std::map<std::string, ReaderStatus, std::less<>> readers;  // by reader id
  // A number the dispatcher increments per decision (per site, say): round_robin() picks with
  // it, so a replay picks the same reader.
  std::uint64_t sequence = 0;

  const ReaderStatus* statusOf(std::string_view reader) const {
    auto found = readers.find(reader);
    return found == readers.end() ? nullptr : &found->second;
  }
};

}  // namespace sundial::rules
