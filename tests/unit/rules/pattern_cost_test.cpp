#include "rules/sandbox/detail/pattern_cost.h"

#include <gtest/gtest.h>

#include <string>

namespace sundial::rules::detail {
namespace {

TEST(PatternCost, PlainFindIsLinear) {
  const std::string subject(1000, 'a');
  EXPECT_LE(patternCost(PatternCall::Find, subject, "abc", 0, true), 1001 * 3);
  EXPECT_LE(patternCost(PatternCall::Find, subject, "STAT", 0, false), 1001 * 4);
}

TEST(PatternCost, AnchoredPatternsTryOneStart) {
  const std::string subject = "ED_CT1 and more text";
  const double anchored = patternCost(PatternCall::Match, subject, "^ED", 0, false);
  const double floating = patternCost(PatternCall::Match, subject, "ED", 0, false);
  EXPECT_LT(anchored, floating);
}

TEST(PatternCost, QuantifiersMultiplyByTheLongestMatchingRun) {
  const std::string runs = "aaaa" + std::string(1000, 'b');
  const std::string long_run(1000, 'a');
  // The same pattern costs far more where its class matches a long run.
  EXPECT_LT(patternCost(PatternCall::Find, runs, "a*a*c", 0, false) * 1000,
            patternCost(PatternCall::Find, long_run, "a*a*c", 0, false));
  EXPECT_GT(patternCost(PatternCall::Find, long_run, "a*a*c", 0, false), 1e9);
  EXPECT_GT(patternCost(PatternCall::Find, std::string(20000, '1'), "%d+x", 0, false), 1e8);
  EXPECT_GT(patternCost(PatternCall::Find, std::string(2000, 'x'), "[^y]-z", 0, false), 1e6);
}

TEST(PatternCost, StartOffsetShortensTheSubject) {
  const std::string subject(1000, 'a');
  EXPECT_LT(patternCost(PatternCall::Find, subject, "a*b", 990, false),
            patternCost(PatternCall::Find, subject, "a*b", 0, false));
}

TEST(PatternCost, MalformedPatternsAreLeftToTheMatcher) {
  EXPECT_EQ(patternCost(PatternCall::Find, "abc", "[a", 0, false), 0);
  EXPECT_EQ(patternCost(PatternCall::Find, "abc", "a%", 0, false), 0);
}

}  // namespace
}  // namespace sundial::rules::detail
