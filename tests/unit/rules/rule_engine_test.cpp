// The rule engine the dispatcher calls: decisions from rules, the shape check, the hard safety
// constraints, the fallback (with an alert) on errors, timeouts and nonsense, and the record of
// eligible and rejected candidates.

#include "rules/engine/rule_engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "roster_fixture.h"

namespace sundial::rules {
namespace {

using testing::ctHeadAtEr;
using testing::makeRoster;

std::shared_ptr<const RuleSet> rulesOf(std::vector<RuleFile> files) {
  auto set = makeRuleSet(std::move(files));
  if (!set.ok()) throw std::runtime_error(set.error().describe());
  return set.value();
}

std::shared_ptr<const RuleSet> oneRule(const std::string& body) {
  return rulesOf({{"10_rule.lua", "function route(f)\n" + body + "\nend\n"}});
}

struct EngineWithAlerts {
  std::vector<RuleAlert> alerts;
  std::unique_ptr<RuleEngine> engine;

  explicit EngineWithAlerts(std::shared_ptr<const RuleSet> rules) {
    RuleEngineOptions options;
    options.on_alert = [this](const RuleAlert& alert) { alerts.push_back(alert); };
    options.log_fallbacks = false;
    engine = std::make_unique<RuleEngine>(makeRoster(), std::move(rules), std::move(options));
  }
};

const Rejection* rejectionOf(const DecisionRecord& record, const std::string& reader) {
  for (const auto& r : record.rejected) {
    if (r.reader == reader) return &r;
  }
  return nullptr;
}

TEST(RuleEngine, ChoosesTheReaderARuleNamesAndSendsImagesToItsWorkstation) {
  EngineWithAlerts e(oneRule("return {reader = 'neuro1', destinations = {'ARCHIVE'}, reason = 'neuro CT'}"));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  EXPECT_FALSE(record.fallback) << record.fallback_reason;
  EXPECT_EQ(record.decision.reader, "neuro1");
  EXPECT_EQ(record.decision.destinations, (std::vector<std::string>{"ARCHIVE", "WS2"}));
  EXPECT_EQ(record.decided_by, "10_rule.lua");
  EXPECT_EQ(record.rule_set_version, e.engine->rules()->version);
  EXPECT_EQ(record.roster_version, e.engine->roster()->version());
  EXPECT_EQ(record.eligible, std::vector<std::string>{"neuro1"});
  EXPECT_EQ(record.decision.reasons, std::vector<std::string>{"neuro CT"});
  EXPECT_TRUE(e.alerts.empty());
  // The candidates credentialed at ER1 that may not read it are recorded with the reason.
  ASSERT_NE(rejectionOf(record, "remote2"), nullptr);
  EXPECT_EQ(rejectionOf(record, "remote2")->constraint, Constraint::Licence);
  EXPECT_EQ(rejectionOf(record, "local1"), nullptr);  // eligible: not rejected
  EXPECT_EQ(rejectionOf(record, "nocred"), nullptr);  // not a candidate at ER1
}

struct RefusalCase {
  const char* name;
  const char* reader;
  Constraint constraint;
  std::function<void(DecisionInput&)> change;
};

class RuleEngineSafety : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(RuleEngineSafety, RefusesAReaderWhoMayNotReadAndFallsBack) {
  const RefusalCase& c = GetParam();
  EngineWithAlerts e(oneRule(std::string("return {reader = '") + c.reader + "'}"));
  DecisionInput input = ctHeadAtEr();
  if (c.change) c.change(input);
  const DecisionRecord record = e.engine->decide(input);
  EXPECT_TRUE(record.fallback);
  EXPECT_EQ(record.decided_by, "fallback");
  EXPECT_EQ(record.decision.pool, "fallback");
  EXPECT_TRUE(record.decision.reader.empty());
  EXPECT_EQ(record.decision.destinations, std::vector<std::string>{"ARCHIVE"});
  const Rejection* rejection = rejectionOf(record, c.reader);
  ASSERT_NE(rejection, nullptr);
  EXPECT_EQ(rejection->constraint, c.constraint);
  EXPECT_NE(record.fallback_reason.find(std::string(constraintName(c.constraint))), std::string::npos)
      << record.fallback_reason;
  ASSERT_EQ(e.alerts.size(), 1u);
  EXPECT_EQ(e.alerts[0].kind, "fallback");
}

INSTANTIATE_TEST_SUITE_P(
    EveryConstraint, RuleEngineSafety,
    ::testing::Values(
        RefusalCase{"Licence", "remote2", Constraint::Licence, nullptr},
        RefusalCase{"Credential", "nocred", Constraint::Credential, nullptr},
        RefusalCase{"Modality", "peds1", Constraint::Modality,
                    [](DecisionInput& in) { in.study.modality = "MR"; }},
        RefusalCase{"OffShift", "local1", Constraint::OnShift,
                    [](DecisionInput& in) { in.now = testing::saturdayAfternoonChicago(); }},
        RefusalCase{"Offline", "neuro1", Constraint::Online,
                    [](DecisionInput& in) { in.readers["neuro1"].online = false; }},
        RefusalCase{"NoStatusIsOffline", "neuro1", Constraint::Online,
                    [](DecisionInput& in) { in.readers.erase("neuro1"); }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RuleEngine, FallsBackWithFileAndLineWhenARuleRaises) {
  EngineWithAlerts e(oneRule("local x = f.study.modality\nerror('no rule for ' .. x)"));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  EXPECT_TRUE(record.fallback);
  EXPECT_NE(record.fallback_reason.find("10_rule.lua:3:"), std::string::npos) << record.fallback_reason;
  EXPECT_NE(record.fallback_reason.find("no rule for CT"), std::string::npos);
  ASSERT_EQ(e.alerts.size(), 1u);
  EXPECT_EQ(e.alerts[0].site, "ER1");
}

TEST(RuleEngine, FallsBackWhenARuleLoopsForever) {
  EngineWithAlerts e(oneRule("while true do end"));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  EXPECT_TRUE(record.fallback);
  // The instruction budget trips first; on a loaded machine the time limit may (either is fine).
  EXPECT_TRUE(record.fallback_reason.find("instruction budget") != std::string::npos ||
              record.fallback_reason.find("time limit") != std::string::npos)
      << record.fallback_reason;
  EXPECT_EQ(e.alerts.size(), 1u);
  // The engine keeps deciding after a tripped budget.
  e.engine->install(oneRule("return {pool = 'remote'}"));
  EXPECT_FALSE(e.engine->decide(ctHeadAtEr()).fallback);
}

TEST(RuleEngine, FallsBackWhenARuleRunsPastItsTimeLimit) {
  RuleEngineOptions options;
  options.limits.wall_time = std::chrono::milliseconds(5);
  options.limits.instructions = 1'000'000'000;
  options.log_fallbacks = false;
  RuleEngine engine(makeRoster(), oneRule("local n = 0\nwhile true do n = n + 1 end"), options);
  const DecisionRecord record = engine.decide(ctHeadAtEr());
  EXPECT_TRUE(record.fallback);
  EXPECT_NE(record.fallback_reason.find("time limit"), std::string::npos) << record.fallback_reason;
}

struct NonsenseCase {
  const char* name;
  const char* returned;
  const char* message;
};

class RuleEngineNonsense : public ::testing::TestWithParam<NonsenseCase> {};

TEST_P(RuleEngineNonsense, FallsBackNamingWhatIsWrong) {
  const NonsenseCase& c = GetParam();
  EngineWithAlerts e(oneRule(std::string("return ") + c.returned));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  EXPECT_TRUE(record.fallback);
  EXPECT_NE(record.fallback_reason.find("10_rule.lua"), std::string::npos) << record.fallback_reason;
  EXPECT_NE(record.fallback_reason.find(c.message), std::string::npos) << record.fallback_reason;
  EXPECT_EQ(e.alerts.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, RuleEngineNonsense,
    ::testing::Values(
        NonsenseCase{"NotATable", "'neuro1'", "must be a table"},
        NonsenseCase{"UnknownReader", "{reader = 'dr_nobody'}", "unknown reader 'dr_nobody'"},
        NonsenseCase{"ReaderOfWrongType", "{reader = 42}", "reader must be a reader id"},
        NonsenseCase{"UnknownPool", "{pool = 'nights'}", "unknown pool 'nights'"},
        NonsenseCase{"ReaderAndPool", "{reader = 'neuro1', pool = 'remote'}", "exactly one"},
        NonsenseCase{"Neither", "{priority = 'STAT'}", "exactly one"},
        NonsenseCase{"UnknownKey", "{pool = 'remote', radiologist = 'x'}", "unknown key 'radiologist'"},
        NonsenseCase{"BadPriority", "{pool = 'remote', priority = 'ASAP'}", "priority must be"},
        NonsenseCase{"UnknownDestination", "{pool = 'remote', destinations = {'PACS9'}}",
                     "unknown destination 'PACS9'"},
        NonsenseCase{"NegativeDue", "{pool = 'remote', due_minutes = -5}", "due_minutes"},
        NonsenseCase{"HoldNotBoolean", "{pool = 'remote', hold = 'yes'}", "hold must be"},
        NonsenseCase{"FunctionInside", "{pool = 'remote', tags = {function() end}}", "tags"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RuleEngine, FallsBackWhenNoRuleFileDecides) {
  EngineWithAlerts e(oneRule("return nil"));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  EXPECT_TRUE(record.fallback);
  EXPECT_NE(record.fallback_reason.find("no rule file decided"), std::string::npos);
}

TEST(RuleEngine, FallsBackForAnUnknownSite) {
  EngineWithAlerts e(oneRule("return {pool = 'remote'}"));
  DecisionInput input = ctHeadAtEr();
  input.study.site = "ELSEWHERE";
  const DecisionRecord record = e.engine->decide(input);
  EXPECT_TRUE(record.fallback);
  EXPECT_NE(record.fallback_reason.find("unknown site"), std::string::npos);
}

TEST(RuleEngine, AsksRuleFilesInNameOrderAndTheFirstAnswerWins) {
  EngineWithAlerts e(rulesOf({
      {"30_default.lua", "function route(f) return {pool = 'remote'} end"},
      {"10_stroke.lua",
       "function route(f)\n if f.order.reason:find('stroke') then return {reader = 'neuro1', "
       "priority = 'STAT'} end\nend"},
  }));
  DecisionInput input = ctHeadAtEr();
  EXPECT_EQ(e.engine->decide(input).decided_by, "30_default.lua");
  input.order.reason_for_exam = "code stroke, last known well 40 min";
  const DecisionRecord stroke = e.engine->decide(input);
  EXPECT_EQ(stroke.decided_by, "10_stroke.lua");
  EXPECT_EQ(stroke.decision.priority, OrderPriority::Stat);
  // No due from the rule: the worklist applies ER1's STAT SLA from the contract's clock start.
  EXPECT_FALSE(stroke.decision.due.has_value());
}

TEST(RuleEngine, PoolDecisionListsEligibleMembersAndRejectsTheOthers) {
  EngineWithAlerts e(oneRule("return {pool = 'remote'}"));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  EXPECT_FALSE(record.fallback);
  EXPECT_EQ(record.decision.pool, "remote");
  EXPECT_EQ(record.eligible, (std::vector<std::string>{"neuro1", "peds1"}));
  ASSERT_NE(rejectionOf(record, "remote2"), nullptr);
  EXPECT_EQ(rejectionOf(record, "remote2")->constraint, Constraint::Licence);
  ASSERT_NE(rejectionOf(record, "nocred"), nullptr);  // a pool member without a credential
  EXPECT_EQ(rejectionOf(record, "nocred")->constraint, Constraint::Credential);
  // The order's priority applies when the rule says nothing; so does the site's SLA, but the
  // worklist counts it (from study complete or a later order), so the decision names no due.
  EXPECT_EQ(record.decision.priority, OrderPriority::Routine);
  EXPECT_FALSE(record.decision.due.has_value());
}

TEST(RuleEngine, DueMinutesFromTheRuleOverrideTheSla) {
  EngineWithAlerts e(oneRule("return {pool = 'remote', due_minutes = 45, tags = {'x'}, hold = true, notify = {'ops'}}"));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  ASSERT_TRUE(record.decision.due.has_value());
  EXPECT_EQ(*record.decision.due, ctHeadAtEr().now + std::chrono::minutes(45));
  EXPECT_TRUE(record.decision.hold);
  EXPECT_EQ(record.decision.tags, std::vector<std::string>{"x"});
  EXPECT_EQ(record.decision.notify, std::vector<std::string>{"ops"});
}

TEST(RuleEngine, FallbackPoolListsItsEligibleMembers) {
  auto roster = std::make_shared<Roster>(*makeRoster());
  roster->readers[1].pools.push_back("fallback");  // neuro1
  ASSERT_TRUE(roster->finish().ok());
  RuleEngineOptions options;
  options.log_fallbacks = false;
  RuleEngine engine(roster, oneRule("error('x')"), options);
  const DecisionRecord record = engine.decide(ctHeadAtEr());
  EXPECT_TRUE(record.fallback);
  EXPECT_EQ(record.eligible, std::vector<std::string>{"neuro1"});
}

TEST(RuleEngine, InstallSwapsTheRuleSetForLaterDecisions) {
  EngineWithAlerts e(oneRule("return {pool = 'remote'}"));
  const std::string first = e.engine->decide(ctHeadAtEr()).rule_set_version;
  e.engine->install(oneRule("return {pool = 'local'}"));
  const DecisionRecord record = e.engine->decide(ctHeadAtEr());
  EXPECT_EQ(record.decision.pool, "local");
  EXPECT_NE(record.rule_set_version, first);
  EXPECT_EQ(record.rule_set_version.size(), 64u);  // SHA-256 hex
}

TEST(RuleEngine, DecidesFromSeveralThreadsAtOnce) {
  EngineWithAlerts e(oneRule("return {reader = sundial.least_loaded(sundial.eligible())}"));
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        DecisionInput input = ctHeadAtEr();
        input.readers["local1"].load_rvu = 5;
        input.readers["peds1"].load_rvu = 1;
        if (e.engine->decide(input).decision.reader != "neuro1") ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(RuleSet, RefusesASyntaxErrorWithFileAndLine) {
  auto set = makeRuleSet({{"20_bad.lua", "function route(f)\n  return {pool = 'x'\nend\n"}});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::RuleFailed);
  EXPECT_NE(set.error().message.find("20_bad.lua:3:"), std::string::npos) << set.error().message;
}

TEST(RuleSet, RefusesAFileWithoutRoute) {
  auto set = makeRuleSet({{"20_helpers.lua", "function decide(f) return nil end\n"}});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("20_helpers.lua: declares no function route(f)"),
            std::string::npos)
      << set.error().message;
}

TEST(RuleSet, RefusesAFileThatRaisesWhileLoading) {
  auto set = makeRuleSet({{"20_raise.lua", "local t = nil\nlocal x = t.field\nfunction route(f) end\n"}});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find("20_raise.lua:2:"), std::string::npos) << set.error().message;
}

TEST(RuleSet, VersionIsTheContentHash) {
  auto a = rulesOf({{"a.lua", "function route(f) return nil end"}});
  auto b = rulesOf({{"a.lua", "function route(f) return nil end"}});
  auto c = rulesOf({{"a.lua", "function route(f) return nil  end"}});
  EXPECT_EQ(a->version, b->version);
  EXPECT_NE(a->version, c->version);
}

}  // namespace
}  // namespace sundial::rules
