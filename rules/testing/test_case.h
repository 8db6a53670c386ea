#pragma once
// Admins' rule test cases: given a study, an order, a patient, a time and the readers' state,
// expect a reader or a pool, a priority, destinations ... They live in the rule folder as Lua
// files (*_test.lua, or any *.lua under tests/) that declare `cases`, a list of tables:
//
//   cases = {
//     { name = "stroke at night goes to neuro",
//       now = "2026-12-01T03:00:00Z",        -- "...Z", "...-06:00", or no zone: the site's time
//       study = { site = "DEMO", modality = "CT", body_part = "HEAD", images = 200 },
//       order = { priority = "STAT", reason = "code stroke" },
//       patient = { age = 67, sex = "M" },
//       readers = { dr_a = { online = false }, dr_b = { load_rvu = 12 } },  -- others: online, idle
//       expect = { reader = "dr_n", priority = "STAT", destinations = { "ARCHIVE", "WS_N" } } },
//   }
//
// `expect` keys: reader, pool, priority, destinations (the same set), fallback (boolean),
// decided_by (a rule file), tags (each present), hold, eligible (the same set), rejected
// ({reader = "constraint"} each present).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/domain/result.h"
#include "rules/api/input.h"
#include "rules/api/roster.h"
#include "rules/engine/rule_set.h"

namespace sundial::rules {

struct Expectation {
  std::optional<std::string> reader;
  std::optional<std::string> pool;
  std::optional<OrderPriority> priority;
  std::optional<std::vector<std::string>> destinations;
  std::optional<bool> fallback;
  std::optional<std::string> decided_by;
  std::vector<std::string> tags;
  std::optional<bool> hold;
  std::optional<std::vector<std::string>> eligible;
  std::map<std::string, std::string> rejected;  // reader -> constraint name
};

struct TestCase {
  std::string file;
  std::string name;
  DecisionInput input;
  Expectation expect;
};

// Reads every test file of the set. InvalidInput "file: case N (name): what is wrong" for a case
// that cannot be understood; the sandbox's error for a file that does not load.
[[nodiscard]] Result<std::vector<TestCase>> readTestCases(const RuleSet& rules,
                                                          const Roster& roster);

// "2026-12-01T03:00:00Z", "2026-12-01T03:00-06:00", or with no zone, wall time in `zone`.
[[nodiscard]] Result<UtcTime> parseTime(std::string_view text, const TimeZone* zone);

}  // namespace sundial::rules
