#pragma once
// The JSON form of one decision — what the rules were asked (the input, reader statuses
// included) and what was decided (the record) — that the dispatcher stores per study in the
// stream <prefix>:v1:dispatch:decisions and that `sundial rules replay` reads back. Schema 2
// (written):
//   {"schema":2, "input":{study, order, patient, now_ms, sequence,
//                         readers:{id:[online, load_rvu, open_tasks]}},
//    "record":{decision, rule_set_version, roster_version, decided_by, fallback,
//              fallback_reason, eligible, rejected:[{constraint, detail, readers:[id...]}]}}
// Schema 1 (still read: records made before) had readers:{id:{online, load_rvu, open_tasks}}
// and rejected:[{reader, constraint, detail}]. Read back, `rejected` holds the same rejections
// grouped by constraint and detail. docs/rules.md shows an example.

#include <string>
#include <string_view>

#include "engine/domain/result.h"
#include "rules/api/decision.h"
#include "rules/api/input.h"

namespace sundial::rules {

struct RecordedDecision {
  DecisionInput input;
  DecisionRecord record;
};

std::string decisionToJson(const DecisionInput& input, const DecisionRecord& record);

// InvalidInput naming the field when the text is not a schema-1 record.
[[nodiscard]] Result<RecordedDecision> decisionFromJson(std::string_view json);

// "licence" -> Constraint::Licence; false for an unknown name.
bool parseConstraint(std::string_view name, Constraint& out);

}  // namespace sundial::rules
