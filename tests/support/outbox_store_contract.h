#pragma once
// The contract every engine::OutboxStore keeps (STYLE.md §8: a fake and a real implementation
// of one interface pass the same tests). Instantiate it with a Maker type:
//   struct Maker {
//     bool SetUp();                                    // false: skip (say why in skipReason())
//     std::unique_ptr<engine::OutboxStore> make(const Clock& clock);
//     std::string skipReason() const;
//   };
//   INSTANTIATE_TYPED_TEST_SUITE_P(Redis, OutboxStoreContract, ::testing::Types<Maker>);
// One worker only: the fake does not tell workers apart.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/domain/clock.h"
#include "engine/reports/outbox_store.h"

namespace sundial::testing {

class ContractClock final : public Clock {
 public:
  SteadyTime steadyNow() const override { return SteadyTime(std::chrono::milliseconds(now_ms)); }
  UtcTime utcNow() const override { return fromEpochMs(now_ms); }
  long long now_ms = 1'700'000'000'000;
};

template <typename Maker>
class OutboxStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!maker_.SetUp()) GTEST_SKIP() << maker_.skipReason();
    store_ = maker_.make(clock_);
  }

  static engine::OutboxEntry entry(const std::string& id, const std::string& site = "NORTH") {
    engine::OutboxEntry e;
    e.delivery_id = id;
    e.task_id = "task-" + id;
    e.site = site;
    e.accession_number = "ACC-" + id;
    e.patient_id = "MRN-" + id;
    e.message = "MSH|^~\\&|SUNDIAL||||||ORU^R01|" + id + "|P|2.5.1\r";
    e.queued_at = fromEpochMs(1'700'000'000'000);
    return e;
  }

  engine::OutboxEntry claimOne(const std::string& site = "NORTH") {
    auto claimed = store_->claim(site, kWorker, std::chrono::milliseconds(0));
    EXPECT_TRUE(claimed.ok()) << claimed.error().describe();
    EXPECT_TRUE(claimed.value()) << "nothing to claim";
    return claimed.value().value_or(engine::OutboxEntry{});
  }

  bool nothingReady(const std::string& site = "NORTH") {
    auto claimed = store_->claim(site, kWorker, std::chrono::milliseconds(0));
    return claimed.ok() && !claimed.value();
  }

  static constexpr char kWorker[] = "node1-reports-NORTH";
  Maker maker_;
  ContractClock clock_;
  std::unique_ptr<engine::OutboxStore> store_;
};

TYPED_TEST_SUITE_P(OutboxStoreContract);

TYPED_TEST_P(OutboxStoreContract, ClaimsOldestFirstWithEverythingStored) {
  ASSERT_TRUE(this->store_->add(this->entry("D1")).ok());
  ASSERT_TRUE(this->store_->add(this->entry("D2")).ok());
  const engine::OutboxEntry first = this->claimOne();
  EXPECT_EQ(first.delivery_id, "D1");
  EXPECT_EQ(first.task_id, "task-D1");
  EXPECT_EQ(first.site, "NORTH");
  EXPECT_EQ(first.accession_number, "ACC-D1");
  EXPECT_EQ(first.patient_id, "MRN-D1");
  EXPECT_EQ(first.message, this->entry("D1").message);
  EXPECT_EQ(first.attempts, 0);
  const engine::OutboxDepth depth = this->store_->depth("NORTH").value();
  EXPECT_EQ(depth.ready, 1);
  EXPECT_EQ(depth.in_flight, 1);
  EXPECT_EQ(this->claimOne().delivery_id, "D2");
  EXPECT_TRUE(this->nothingReady());
}

TYPED_TEST_P(OutboxStoreContract, ATakenIdIsADuplicate) {
  ASSERT_TRUE(this->store_->add(this->entry("D1")).ok());
  auto again = this->store_->add(this->entry("D1"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::Duplicate);
  EXPECT_EQ(this->store_->depth("NORTH").value().ready, 1);
}

TYPED_TEST_P(OutboxStoreContract, ARetryWaitsUntilDueAndCountsTheAttempt) {
  ASSERT_TRUE(this->store_->add(this->entry("D1")).ok());
  const engine::OutboxEntry claimed = this->claimOne();
  ASSERT_TRUE(this->store_->retryLater(claimed, this->kWorker, fromEpochMs(this->clock_.now_ms + 5000),
                                       "no ACK in time").ok());
  EXPECT_EQ(this->store_->depth("NORTH").value().waiting, 1);
  EXPECT_EQ(this->store_->promoteDueRetries("NORTH", fromEpochMs(this->clock_.now_ms + 4999)).value(), 0);
  EXPECT_TRUE(this->nothingReady());
  EXPECT_EQ(this->store_->promoteDueRetries("NORTH", fromEpochMs(this->clock_.now_ms + 5000)).value(), 1);
  const engine::OutboxEntry again = this->claimOne();
  EXPECT_EQ(again.attempts, 1);
  EXPECT_EQ(again.last_error, "no ACK in time");
}

TYPED_TEST_P(OutboxStoreContract, DeliveredLeavesTheQueue) {
  ASSERT_TRUE(this->store_->add(this->entry("D1")).ok());
  const engine::OutboxEntry claimed = this->claimOne();
  ASSERT_TRUE(this->store_->markDelivered(claimed, this->kWorker).ok());
  const engine::OutboxDepth depth = this->store_->depth("NORTH").value();
  EXPECT_EQ(depth.ready + depth.in_flight + depth.waiting + depth.dead, 0);
  auto unknown = this->store_->markDelivered(this->entry("NOPE"), this->kWorker);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TYPED_TEST_P(OutboxStoreContract, DeadLettersKeepTheirReasonAndCanGoAgain) {
  for (const char* id : {"D1", "D2"}) {
    ASSERT_TRUE(this->store_->add(this->entry(id)).ok());
    ASSERT_TRUE(this->store_->deadLetter(this->claimOne(), this->kWorker,
                                         std::string("AR: refused ") + id).ok());
  }
  auto letters = this->store_->deadLetters("NORTH", 10);
  ASSERT_TRUE(letters.ok());
  ASSERT_EQ(letters->size(), 2u);
  EXPECT_EQ(letters.value()[0].delivery_id, "D2");  // newest first
  EXPECT_EQ(letters.value()[0].reason, "AR: refused D2");
  EXPECT_EQ(letters.value()[0].task_id, "task-D2");
  EXPECT_EQ(letters.value()[0].attempts, 1);
  EXPECT_EQ(this->store_->deadLetters("NORTH", 1)->size(), 1u);
  EXPECT_EQ(this->store_->depth("NORTH").value().dead, 2);

  EXPECT_EQ(this->store_->retryDead("D1").value(), "NORTH");
  const engine::OutboxEntry again = this->claimOne();
  EXPECT_EQ(again.delivery_id, "D1");
  EXPECT_EQ(again.attempts, 0);
  EXPECT_EQ(this->store_->depth("NORTH").value().dead, 1);
  auto not_dead = this->store_->retryDead("D1");
  ASSERT_FALSE(not_dead.ok());
  EXPECT_EQ(not_dead.error().code, ErrorCode::NotFound);
  EXPECT_EQ(this->store_->retryDead("NOPE").error().code, ErrorCode::NotFound);
}

TYPED_TEST_P(OutboxStoreContract, ReclaimPutsInFlightBackOldestClaimFirst) {
  for (const char* id : {"D1", "D2", "D3"}) ASSERT_TRUE(this->store_->add(this->entry(id)).ok());
  this->claimOne();
  this->claimOne();
  EXPECT_EQ(this->store_->reclaim("NORTH", this->kWorker).value(), 2);
  EXPECT_EQ(this->store_->depth("NORTH").value().in_flight, 0);
  for (const char* id : {"D1", "D2", "D3"}) EXPECT_EQ(this->claimOne().delivery_id, id);
}

TYPED_TEST_P(OutboxStoreContract, SitesHaveTheirOwnQueues) {
  ASSERT_TRUE(this->store_->add(this->entry("D1", "SOUTH")).ok());
  EXPECT_TRUE(this->nothingReady("NORTH"));
  EXPECT_EQ(this->store_->depth("NORTH").value().ready, 0);
  EXPECT_EQ(this->store_->depth("SOUTH").value().ready, 1);
  EXPECT_EQ(this->claimOne("SOUTH").delivery_id, "D1");
}

// Issue 5: a task's outcome stays noted until the worklist confirms applying it, so that one
// the worklist could not take (its Redis down) is applied later rather than lost.
TYPED_TEST_P(OutboxStoreContract, OutcomesOfTasksWaitUntilTheWorklistAppliesThem_Issue5) {
  ASSERT_TRUE(this->store_->add(this->entry("D1")).ok());
  ASSERT_TRUE(this->store_->add(this->entry("D2")).ok());
  engine::OutboxEntry untracked = this->entry("D3");
  untracked.task_id.clear();  // queued through the API for no task: nobody to tell
  ASSERT_TRUE(this->store_->add(untracked).ok());
  ASSERT_TRUE(this->store_->markDelivered(this->claimOne(), this->kWorker).ok());
  ASSERT_TRUE(this->store_->deadLetter(this->claimOne(), this->kWorker, "AR: refused").ok());
  ASSERT_TRUE(this->store_->markDelivered(this->claimOne(), this->kWorker).ok());
  // A duplicate ACK of an already delivered report notes nothing new.
  ASSERT_TRUE(this->store_->markDelivered(this->entry("D1"), this->kWorker).ok());

  auto pending = this->store_->unappliedOutcomes("NORTH", 10);
  ASSERT_TRUE(pending.ok()) << pending.error().describe();
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ(pending.value()[0].delivery_id, "D1");
  EXPECT_EQ(pending.value()[0].task_id, "task-D1");
  EXPECT_EQ(pending.value()[0].site, "NORTH");
  EXPECT_TRUE(pending.value()[0].delivered);
  EXPECT_EQ(pending.value()[1].delivery_id, "D2");
  EXPECT_FALSE(pending.value()[1].delivered);
  EXPECT_EQ(pending.value()[1].reason, "AR: refused");
  EXPECT_TRUE(this->store_->unappliedOutcomes("SOUTH", 10)->empty());

  ASSERT_TRUE(this->store_->outcomeApplied("NORTH", "D1").ok());
  ASSERT_TRUE(this->store_->outcomeApplied("NORTH", "D1").ok());  // idempotent
  pending = this->store_->unappliedOutcomes("NORTH", 10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending.value()[0].delivery_id, "D2");
  // Sent again by a person: no outcome until it has a new one.
  ASSERT_TRUE(this->store_->retryDead("D2").ok());
  EXPECT_TRUE(this->store_->unappliedOutcomes("NORTH", 10)->empty());
}

REGISTER_TYPED_TEST_SUITE_P(OutboxStoreContract, ClaimsOldestFirstWithEverythingStored,
                            ATakenIdIsADuplicate, ARetryWaitsUntilDueAndCountsTheAttempt,
                            DeliveredLeavesTheQueue, DeadLettersKeepTheirReasonAndCanGoAgain,
                            ReclaimPutsInFlightBackOldestClaimFirst, SitesHaveTheirOwnQueues,
                            OutcomesOfTasksWaitUntilTheWorklistAppliesThem_Issue5);

}  // namespace sundial::testing
