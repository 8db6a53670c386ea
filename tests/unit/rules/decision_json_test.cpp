// The JSON form of (input, decision) the dispatcher stores per study and replay reads back.

#include "rules/api/decision_json.h"

#include <gtest/gtest.h>

#include <set>

#include "roster_fixture.h"
#include "rules/engine/rule_engine.h"

namespace sundial::rules {
namespace {

TEST(DecisionJson, RoundTripsInputAndRecord) {
  auto set = makeRuleSet({{"10_rule.lua", "function route(f) return {pool = 'remote', tags = {'t'}, reason = 'r'} end"}});
  ASSERT_TRUE(set.ok());
  RuleEngine engine(testing::makeRoster(), set.value());
  DecisionInput input = testing::ctHeadAtEr();
  input.sequence = 17;
  input.readers["peds1"] = {true, 2.5, 3};
  const DecisionRecord record = engine.decide(input);
  const std::string json = decisionToJson(input, record);

  auto back = decisionFromJson(json);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  const DecisionInput& in = back.value().input;
  EXPECT_EQ(in.study.key, "study-1");
  EXPECT_EQ(in.study.modality, "CT");
  EXPECT_EQ(in.study.image_count, 240);
  EXPECT_EQ(in.study.arrived, input.study.arrived);
  EXPECT_EQ(in.order.priority, OrderPriority::Routine);
  EXPECT_EQ(in.order.reason_for_exam, "headache");
  EXPECT_EQ(in.patient.age_years, 54);
  EXPECT_EQ(in.now, input.now);
  EXPECT_EQ(in.sequence, 17u);
  EXPECT_EQ(in.readers.at("peds1").load_rvu, 2.5);
  EXPECT_EQ(in.readers.at("peds1").open_tasks, 3);
  const DecisionRecord& out = back.value().record;
  EXPECT_EQ(out.decision.pool, "remote");
  EXPECT_EQ(out.decision.due, record.decision.due);
  EXPECT_EQ(out.decision.tags, record.decision.tags);
  EXPECT_EQ(out.rule_set_version, record.rule_set_version);
  EXPECT_EQ(out.eligible, record.eligible);
  ASSERT_EQ(out.rejected.size(), record.rejected.size());
  EXPECT_EQ(out.rejected[0].constraint, record.rejected[0].constraint);
  // The same input decided again gives the same record: what replay relies on.
  EXPECT_EQ(decisionToJson(in, engine.decide(in)), json);
}

TEST(DecisionJson, NamesWhatIsWrongInABadRecord) {
  EXPECT_FALSE(decisionFromJson("not json").ok());
  auto wrong_schema = decisionFromJson(R"({"schema": 3})");
  ASSERT_FALSE(wrong_schema.ok());
  EXPECT_NE(wrong_schema.error().message.find("schema"), std::string::npos);
  auto missing = decisionFromJson(R"({"schema": 1, "input": {}})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("$.input.study"), std::string::npos) << missing.error().message;
}

TEST(DecisionJson, GroupsRejectionsKeepingEachReadersConstraintAndDetail) {
  DecisionInput input = testing::ctHeadAtEr();
  DecisionRecord record;
  record.rejected = {{"a", Constraint::Licence, "no licence for TX"},
                     {"b", Constraint::OnShift, "off shift (America/Denver)"},
                     {"c", Constraint::Licence, "no licence for TX"},
                     {"d", Constraint::OnShift, "off shift (Asia/Kolkata)"}};
  const std::string json = decisionToJson(input, record);
  // Each detail once, however many readers it rejected.
  const std::size_t first = json.find("no licence for TX");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(json.find("no licence for TX", first + 1), std::string::npos) << json;

  auto back = decisionFromJson(json);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  auto key = [](const Rejection& r) {
    return r.reader + "/" + std::string(constraintName(r.constraint)) + "/" + r.detail;
  };
  std::set<std::string> expected, read;
  for (const Rejection& r : record.rejected) expected.insert(key(r));
  for (const Rejection& r : back.value().record.rejected) read.insert(key(r));
  EXPECT_EQ(back.value().record.rejected.size(), record.rejected.size());
  EXPECT_EQ(read, expected);
}

TEST(DecisionJson, ReadsSchemaOneRecordsMadeBefore) {
  auto back = decisionFromJson(R"({"schema":1,
    "input":{"study":{"key":"k","modality":"CT","body_part":"HEAD","description":"CT HEAD",
                      "images":3,"site":"ER1","arrived_ms":1796137200000},
             "order":{"present":false},"patient":{"sex":"F"},"now_ms":1796137500000,
             "sequence":4,"readers":{"neuro1":{"online":true,"load_rvu":4.5,"open_tasks":2}}},
    "record":{"decision":{"reader":"neuro1","pool":"","priority":"ROUTINE","due_ms":null,
                          "destinations":["ARCHIVE"],"tags":[],"hold":false,"notify":[],
                          "reasons":["r"]},
              "rule_set_version":"v","roster_version":"w","decided_by":"10.lua",
              "fallback":false,"fallback_reason":"","eligible":["neuro1"],
              "rejected":[{"reader":"remote2","constraint":"licence","detail":"no licence for TX"}]}})");
  ASSERT_TRUE(back.ok()) << back.error().describe();
  const ReaderStatus& status = back.value().input.readers.at("neuro1");
  EXPECT_TRUE(status.online);
  EXPECT_EQ(status.load_rvu, 4.5);
  EXPECT_EQ(status.open_tasks, 2);
  ASSERT_EQ(back.value().record.rejected.size(), 1u);
  EXPECT_EQ(back.value().record.rejected[0].reader, "remote2");
  EXPECT_EQ(back.value().record.rejected[0].constraint, Constraint::Licence);
  EXPECT_EQ(back.value().record.rejected[0].detail, "no licence for TX");
}

TEST(DecisionJson, PatientIdentityIsNotInTheRecord) {
  DecisionInput input = testing::ctHeadAtEr();
  DecisionRecord record;
  const std::string json = decisionToJson(input, record);
  for (const char* key : {"patient_id", "patient_name", "birth", "accession"}) {
    EXPECT_EQ(json.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace sundial::rules
