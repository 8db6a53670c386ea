#include "rules/sandbox/value.h"

#include <gtest/gtest.h>

namespace sundial::rules {
namespace {

TEST(RulesValue, KindsAndAccessors) {
  EXPECT_TRUE(Value().isNil());
  EXPECT_TRUE(Value(true).asBool());
  EXPECT_EQ(Value(42).asInteger(), 42);
  EXPECT_DOUBLE_EQ(Value(1.5).asNumber(), 1.5);
  EXPECT_EQ(Value("ct").asString(), "ct");
  EXPECT_TRUE(Value(Value::Array{1, 2}).isArray());
  EXPECT_TRUE(Value(Value::Map{{"a", 1}}).isMap());
}

TEST(RulesValue, FindsMapMembers) {
  const Value value(Value::Map{{"modality", "CT"}, {"images", 120}});
  ASSERT_NE(value.find("modality"), nullptr);
  EXPECT_EQ(value.find("modality")->asString(), "CT");
  EXPECT_EQ(value.find("missing"), nullptr);
  EXPECT_EQ(Value(3).find("x"), nullptr);
}

TEST(RulesValue, ComparesAndDescribesTrees) {
  const Value a(Value::Map{{"tags", Value::Array{"stat", "neuro"}}, {"priority", 1}});
  const Value b(Value::Map{{"tags", Value::Array{"stat", "neuro"}}, {"priority", 1}});
  EXPECT_EQ(a, b);
  EXPECT_FALSE(a == Value(Value::Map{{"priority", 1}}));
  EXPECT_EQ(a.describe(), R"({priority=1, tags={"stat", "neuro"}})");
}

}  // namespace
}  // namespace sundial::rules
