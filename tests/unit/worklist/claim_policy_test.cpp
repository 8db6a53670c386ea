// ClaimPolicy (engine/app/claim_policy.h), issue 5: a reader claims only an unassigned task of
// a pull pool they belong to, and only a study they may legally read (the dispatcher's own
// licence / credential / modality checks). Pure: a roster built by hand, no clock, no Redis.

#include "engine/app/claim_policy.h"

#include <gtest/gtest.h>

namespace sundial::app {
namespace {

using worklist::Task;
using worklist::TaskState;

std::shared_ptr<const rules::Roster> roster() {
  auto r = std::make_shared<rules::Roster>();
  r->sites.push_back({.name = "DEMO", .time_zone = "UTC", .state = "TX"});
  r->sites.push_back({.name = "NYC", .time_zone = "UTC", .state = "NY"});
  rules::ReaderProfile lee;
  lee.id = "lee";
  lee.licences = {"TX"};
  lee.credentials = {"DEMO"};
  lee.modalities = {"CT"};
  lee.pools = {"overflow", "remote"};
  rules::ReaderProfile kim = lee;  // the same, but not in the pull pool
  kim.id = "kim";
  kim.pools = {"remote"};
  r->readers = {lee, kim};
  r->pools = {{"remote", false}, {"overflow", true}};
  EXPECT_TRUE(r->finish().ok());
  return r;
}

Task poolTask(const std::string& pool, const std::string& site = "DEMO",
              const std::string& modality = "CT") {
  Task t;
  t.id = "T1";
  t.site = site;
  t.modality = modality;
  t.pool = pool;
  t.state = TaskState::Queued;
  return t;
}

std::string refusalCode(const ClaimPolicy& policy, const Task& task, const std::string& reader) {
  auto refused = policy.check(task, reader);
  return refused ? refused->code : "allowed";
}

TEST(ClaimPolicy, AMemberClaimsAnEligibleTaskOfAPullPool) {
  ClaimPolicy policy(roster());
  EXPECT_EQ(refusalCode(policy, poolTask("overflow"), "lee"), "allowed");
  EXPECT_TRUE(policy.mayClaimFromPool(poolTask("overflow"), "lee"));
  Task escalated = poolTask("overflow");
  escalated.state = TaskState::Escalated;
  EXPECT_TRUE(policy.mayClaimFromPool(escalated, "lee"));
}

TEST(ClaimPolicy, NobodyClaimsFromAPushPool) {
  ClaimPolicy policy(roster());
  EXPECT_EQ(refusalCode(policy, poolTask("remote"), "lee"), "push_pool");
  EXPECT_FALSE(policy.mayClaimFromPool(poolTask("remote"), "lee"));
}

TEST(ClaimPolicy, OnlyMembersClaimFromAPullPool) {
  ClaimPolicy policy(roster());
  EXPECT_EQ(refusalCode(policy, poolTask("overflow"), "kim"), "not_in_pool");
  EXPECT_EQ(refusalCode(policy, poolTask("overflow"), "stranger"), "unknown_reader");
  EXPECT_EQ(refusalCode(policy, poolTask("night"), "lee"), "unknown_pool");
  EXPECT_FALSE(policy.mayClaimFromPool(poolTask("overflow"), "kim"));
}

TEST(ClaimPolicy, TheDispatchersHardConstraintsHoldForClaims) {
  ClaimPolicy policy(roster());
  auto refused = policy.check(poolTask("overflow", "NYC"), "lee");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, "licence");
  EXPECT_NE(refused->reason.find("NY"), std::string::npos) << refused->reason;
  EXPECT_EQ(refusalCode(policy, poolTask("overflow", "DEMO", "MR"), "lee"), "modality");

  auto r = std::make_shared<rules::Roster>(*roster());
  r->readers[0].credentials.clear();
  ASSERT_TRUE(r->finish().ok());
  EXPECT_EQ(refusalCode(ClaimPolicy(r), poolTask("overflow"), "lee"), "credential");
}

TEST(ClaimPolicy, ATaskPushedToTheReaderIsTheirsAndAnotherReadersIsLeftToTheLifeCycle) {
  ClaimPolicy policy(roster());
  Task pushed = poolTask("remote");
  pushed.state = TaskState::Assigned;
  pushed.assigned_reader = "kim";
  EXPECT_EQ(refusalCode(policy, pushed, "kim"), "allowed");
  // Pushed to someone else: a state conflict the life cycle answers (409), not a pool rule.
  EXPECT_EQ(refusalCode(policy, pushed, "lee"), "allowed");
  EXPECT_FALSE(policy.mayClaimFromPool(pushed, "lee"));
  Task held = poolTask("overflow");
  held.state = TaskState::Claimed;
  held.claimed_by = "lee";
  EXPECT_FALSE(policy.mayClaimFromPool(held, "kim"));
}

TEST(ClaimPolicy, WithoutReadersOnTheRosterEveryClaimIsLeftToTheLifeCycle) {
  auto empty = std::make_shared<rules::Roster>();
  ASSERT_TRUE(empty->finish().ok());
  EXPECT_EQ(refusalCode(ClaimPolicy(empty), poolTask("night"), "anyone"), "allowed");
  // A roster that could not be built fails closed.
  EXPECT_EQ(refusalCode(ClaimPolicy(nullptr), poolTask("overflow"), "lee"), "no_roster");
}

}  // namespace
}  // namespace sundial::app
