// The sundial.* helpers offered to rules and the facts table route(f) receives.

#include <gtest/gtest.h>

#include "roster_fixture.h"
#include "rules/engine/rule_engine.h"

namespace sundial::rules {
namespace {

using testing::ctHeadAtEr;
using testing::makeRoster;

// Runs `body` as route(f) and returns its reasons (the helpers' results joined by the rule).
DecisionRecord run(const std::string& body, const DecisionInput& input = ctHeadAtEr()) {
  auto set = makeRuleSet({{"10_rule.lua", "function route(f)\n" + body + "\nend\n"}});
  if (!set.ok()) throw std::runtime_error(set.error().describe());
  RuleEngineOptions options;
  options.log_fallbacks = false;
  RuleEngine engine(makeRoster(), set.value(), options);
  return engine.decide(input);
}

std::string reasonOf(const std::string& expression, const DecisionInput& input = ctHeadAtEr()) {
  const DecisionRecord record =
      run("return {pool = 'remote', reason = tostring(" + expression + ")}", input);
  if (record.fallback) return "FALLBACK: " + record.fallback_reason;
  return record.decision.reasons.at(0);
}

std::string joined(const std::string& list_expression, const DecisionInput& input = ctHeadAtEr()) {
  return reasonOf("table.concat(" + list_expression + ", ',')", input);
}

TEST(RuleHelpers, ReadersListsThoseCredentialedAtTheSite) {
  EXPECT_EQ(joined("sundial.readers()"), "local1,neuro1,remote2,peds1");
  EXPECT_EQ(joined("sundial.readers({pool = 'remote'})"), "neuro1,remote2,peds1");
}

TEST(RuleHelpers, EligibleAppliesEverySafetyCheck) {
  EXPECT_EQ(joined("sundial.eligible()"), "local1,neuro1,peds1");  // remote2: no TX licence
  EXPECT_EQ(joined("sundial.eligible({subspecialty = 'neuro'})"), "neuro1");
  DecisionInput saturday = ctHeadAtEr();
  saturday.now = testing::saturdayAfternoonChicago();
  saturday.readers["peds1"].online = false;
  EXPECT_EQ(joined("sundial.eligible()", saturday), "neuro1");
  DecisionInput mr = ctHeadAtEr();
  mr.study.modality = "MR";
  EXPECT_EQ(joined("sundial.eligible()", mr), "local1,neuro1");
}

TEST(RuleHelpers, OptionsAreChecked) {
  EXPECT_NE(reasonOf("sundial.eligible({speciality = 'neuro'})").find("unknown option 'speciality'"),
            std::string::npos);
  EXPECT_NE(reasonOf("sundial.least_loaded('neuro1')").find("expects a list of reader ids"),
            std::string::npos);
}

TEST(RuleHelpers, LeastLoadedPrefersFewestRvusThenFewestTasksAndSkipsFullReaders) {
  DecisionInput input = ctHeadAtEr();
  input.readers["local1"] = {true, 4.0, 2};
  input.readers["neuro1"] = {true, 1.5, 6};
  input.readers["peds1"] = {true, 1.5, 3};
  EXPECT_EQ(reasonOf("sundial.least_loaded(sundial.eligible())", input), "peds1");
  EXPECT_EQ(reasonOf("sundial.least_loaded({})", input), "nil");
}

TEST(RuleHelpers, RoundRobinFollowsTheSequence) {
  DecisionInput input = ctHeadAtEr();
  input.sequence = 0;
  EXPECT_EQ(reasonOf("sundial.round_robin({'a', 'b', 'c'})", input), "a");
  input.sequence = 4;
  EXPECT_EQ(reasonOf("sundial.round_robin({'a', 'b', 'c'})", input), "b");
}

TEST(RuleHelpers, SubspecialtyAndPoolFilters) {
  EXPECT_EQ(joined("sundial.with_subspecialty(sundial.readers(), 'pediatric')"), "peds1");
  EXPECT_EQ(joined("sundial.in_pool(sundial.readers(), 'local')"), "local1");
}

TEST(RuleHelpers, ReaderAndCheckDescribeOneReader) {
  EXPECT_EQ(reasonOf("sundial.reader('neuro1').time_zone"), "America/New_York");
  EXPECT_EQ(reasonOf("sundial.reader('neuro1').subspecialties[1]"), "neuro");
  EXPECT_EQ(reasonOf("sundial.reader('neuro1').on_shift"), "true");
  EXPECT_EQ(reasonOf("sundial.reader('nobody')"), "nil");
  EXPECT_EQ(reasonOf("sundial.check('neuro1')"), "nil");
  EXPECT_EQ(reasonOf("sundial.check('remote2').constraint"), "licence");
  EXPECT_EQ(reasonOf("sundial.check('remote2').detail"), "no licence for TX");
}

TEST(RuleHelpers, OnShiftUsesTheReadersTimeZone) {
  // Tuesday 15:00 UTC is 09:00 in Chicago: local1 (weekdays 07-18 Chicago) is on shift.
  EXPECT_EQ(reasonOf("sundial.on_shift('local1')"), "true");
  // 13:30 UTC is 07:30 in Chicago, still on; 12:30 UTC is 06:30, off.
  DecisionInput input = ctHeadAtEr();
  EXPECT_EQ(reasonOf("sundial.on_shift('local1', f.now_ms - 90 * 60000)", input), "true");
  EXPECT_EQ(reasonOf("sundial.on_shift('local1', f.now_ms - 150 * 60000)", input), "false");
}

TEST(RuleHelpers, LocalTimeInAnyZone) {
  EXPECT_EQ(reasonOf("sundial.local_time().text"), "2026-12-01T09:00:00-06:00");
  EXPECT_EQ(reasonOf("sundial.local_time('Asia/Kolkata').text"), "2026-12-01T20:30:00+05:30");
  EXPECT_EQ(reasonOf("sundial.local_time('Europe/Berlin').day_name"), "tue");
  EXPECT_NE(reasonOf("sundial.local_time('Mars/Olympus')").find("unknown time zone"), std::string::npos);
}

TEST(RuleFacts, CarryStudyOrderPatientSiteAndTime) {
  EXPECT_EQ(reasonOf("f.study.modality .. '/' .. f.study.body_part .. '/' .. f.study.images"),
            "CT/HEAD/240");
  EXPECT_EQ(reasonOf("f.order.priority .. '/' .. f.order.procedure_code .. '/' .. f.order.reason"),
            "ROUTINE/CTHEAD/headache");
  EXPECT_EQ(reasonOf("f.patient.age .. f.patient.sex"), "54F");
  EXPECT_EQ(reasonOf("f.site.state .. '/' .. f.site.time_zone .. '/' .. f.site.sla_minutes.STAT"),
            "TX/America/Chicago/30");
  EXPECT_EQ(reasonOf("f.site.time.hour .. ':' .. f.site.time.day_name"), "9:tue");
  EXPECT_EQ(reasonOf("f.site.covered"), "true");  // weekday 09:00, coverage 07-18
  DecisionInput night = ctHeadAtEr();
  night.now += std::chrono::hours(10);  // 19:00 Chicago
  EXPECT_EQ(reasonOf("f.site.covered", night), "false");
  EXPECT_EQ(reasonOf("f.now_ms == " + std::to_string(toEpochMs(ctHeadAtEr().now))), "true");
}

TEST(RuleFacts, AreReadOnlyAndHelperResultsAreTheRulesOwn) {
  const DecisionRecord record = run("f.study.modality = 'MR'\nreturn {pool = 'remote'}");
  EXPECT_TRUE(record.fallback);
  EXPECT_NE(record.fallback_reason.find("read-only"), std::string::npos) << record.fallback_reason;
  EXPECT_EQ(joined("(function() local r = sundial.eligible() table.sort(r) return r end)()"),
            "local1,neuro1,peds1");
}

TEST(RuleFacts, NoOrderMeansPresentFalse) {
  DecisionInput input = ctHeadAtEr();
  input.order = OrderFacts{};
  EXPECT_EQ(reasonOf("f.order.present", input), "false");
  EXPECT_EQ(reasonOf("f.order.priority", input), "nil");
}

}  // namespace
}  // namespace sundial::rules
