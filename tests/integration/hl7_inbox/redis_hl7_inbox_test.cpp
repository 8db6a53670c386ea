#include "adapters/redis/redis_hl7_inbox.h"

#include <gtest/gtest.h>

#include <thread>

#include "engine/hl7_ingest/group_commit_store.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

using engine::InboxMessage;
using engine::InboxStoreResult;

InboxMessage message(const std::string& control_id, const std::string& site = "DEMO",
                     const std::string& sender = "RIS|DEMO_HOSP") {
  InboxMessage m;
  m.site = site;
  m.sender = sender;
  m.control_id = control_id;
  m.message_type = "ORM^O01";
  m.received_at = fromEpochMs(kBaseMs);
  // Binary-safe: CR, a NUL and a non-ASCII byte must come back as they went in.
  m.raw = "MSH|^~\\&|RIS|DEMO_HOSP|||20261130||ORM^O01|" + control_id + "|P|2.3\rPID|1|";
  m.raw += std::string("\0\xE9\r", 3);
  return m;
}

class Hl7InboxTest : public RedisTest {
 protected:
  testing::RedisServerOptions serverOptions() const override {
    testing::RedisServerOptions options;
    options.appendonly = true;
    return options;
  }
  std::unique_ptr<RedisHl7Inbox> makeInbox(Hl7InboxOptions options = {}) {
    return std::make_unique<RedisHl7Inbox>(clientOptions(), kPrefix, clock_, options);
  }
  ManualClock clock_;
};

TEST_F(Hl7InboxTest, StoresOnceAndAnswersARepeatAsDuplicateWithTheFirstId) {
  auto inbox = makeInbox();
  InboxMessage first = message("C1");
  auto stored = inbox->store(first);
  ASSERT_TRUE(stored.ok()) << stored.error().describe();
  EXPECT_EQ(stored.value(), InboxStoreResult::Stored);
  EXPECT_FALSE(first.id.empty());

  InboxMessage repeat = message("C1");
  auto again = inbox->store(repeat);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), InboxStoreResult::Duplicate);
  EXPECT_EQ(repeat.id, first.id);
  EXPECT_EQ(inbox->depth().value(), 1);

  // Same control id from another sender or for another site: a different message.
  InboxMessage other_sender = message("C1", "DEMO", "LAB|DEMO_HOSP");
  InboxMessage other_site = message("C1", "NORTH");
  EXPECT_EQ(inbox->store(other_sender).value(), InboxStoreResult::Stored);
  EXPECT_EQ(inbox->store(other_site).value(), InboxStoreResult::Stored);
  EXPECT_EQ(inbox->depth().value(), 3);
}

TEST_F(Hl7InboxTest, DuplicateKeysExpireAfterTheWindow) {
  Hl7InboxOptions options;
  options.duplicate_window = std::chrono::hours(24 * 7);
  auto inbox = makeInbox(options);
  InboxMessage m = message("C1");
  ASSERT_TRUE(inbox->store(m).ok());
  RedisClient probe(clientOptions());
  auto ttl = probe.command({"PTTL", inbox->keys().seen("DEMO", "RIS|DEMO_HOSP", "C1")});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl.value().integer, 7LL * 24 * 3600 * 1000 - 60'000);
  EXPECT_LE(ttl.value().integer, 7LL * 24 * 3600 * 1000);
}

TEST_F(Hl7InboxTest, TakeReturnsTheMessageExactlyAsStoredAndFinishRemovesIt) {
  auto inbox = makeInbox();
  InboxMessage m = message("C1");
  ASSERT_TRUE(inbox->store(m).ok());
  auto consumer = makeInbox();
  auto taken = consumer->take("node-a", 10, 100ms);
  ASSERT_TRUE(taken.ok()) << taken.error().describe();
  ASSERT_EQ(taken.value().size(), 1u);
  const InboxMessage& got = taken.value()[0];
  EXPECT_EQ(got.id, m.id);
  EXPECT_EQ(got.site, "DEMO");
  EXPECT_EQ(got.sender, "RIS|DEMO_HOSP");
  EXPECT_EQ(got.control_id, "C1");
  EXPECT_EQ(got.message_type, "ORM^O01");
  EXPECT_EQ(got.received_at, fromEpochMs(kBaseMs));
  EXPECT_EQ(got.raw, m.raw);

  ASSERT_TRUE(consumer->finish(got.id).ok());
  EXPECT_EQ(consumer->depth().value(), 0);
  auto finished_again = consumer->finish(got.id);
  ASSERT_FALSE(finished_again.ok());
  EXPECT_EQ(finished_again.error().code, ErrorCode::NotFound);
  // Finished and gone from the stream, yet a repeat is still recognised.
  InboxMessage repeat = message("C1");
  EXPECT_EQ(inbox->store(repeat).value(), InboxStoreResult::Duplicate);
  EXPECT_TRUE(consumer->take("node-a", 10, 0ms).value().empty());
}

TEST_F(Hl7InboxTest, TakeOnAnEmptyInboxWaitsThenWakesForANewMessage) {
  auto consumer = makeInbox();
  auto empty = consumer->take("node-a", 10, 50ms);
  ASSERT_TRUE(empty.ok()) << empty.error().describe();
  EXPECT_TRUE(empty.value().empty());

  std::thread producer([this] {
    auto inbox = makeInbox();
    std::this_thread::sleep_for(100ms);
    InboxMessage m = message("LATE");
    ASSERT_TRUE(inbox->store(m).ok());
  });
  const auto started = std::chrono::steady_clock::now();
  auto taken = consumer->take("node-a", 10, 5000ms);
  producer.join();
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken.value().size(), 1u);
  EXPECT_EQ(taken.value()[0].control_id, "LATE");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3000ms);  // woke, not timed out
}

TEST_F(Hl7InboxTest, PendingComesBackToTheSameConsumerAfterARestart) {
  auto inbox = makeInbox();
  for (int i = 0; i < 3; ++i) {
    InboxMessage m = message("C" + std::to_string(i));
    ASSERT_TRUE(inbox->store(m).ok());
  }
  {
    auto dying = makeInbox();
    auto taken = dying->take("node-a", 2, 0ms);
    ASSERT_EQ(taken.value().size(), 2u);
    ASSERT_TRUE(dying->finish(taken.value()[0].id).ok());
  }  // node-a "dies" with C1 taken and not finished
  auto restarted = makeInbox();
  auto again = restarted->take("node-a", 10, 0ms);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again.value().size(), 1u);  // its pending one first, alone
  EXPECT_EQ(again.value()[0].control_id, "C1");
  ASSERT_TRUE(restarted->finish(again.value()[0].id).ok());
  auto next = restarted->take("node-a", 10, 0ms);
  ASSERT_EQ(next.value().size(), 1u);
  EXPECT_EQ(next.value()[0].control_id, "C2");
}

TEST_F(Hl7InboxTest, AnotherConsumerClaimsWhatADeadOneLeftIdle) {
  Hl7InboxOptions options;
  options.claim_idle_after = 200ms;
  auto inbox = makeInbox(options);
  InboxMessage m = message("C1");
  ASSERT_TRUE(inbox->store(m).ok());
  ASSERT_EQ(makeInbox(options)->take("node-dead", 10, 0ms).value().size(), 1u);
  auto survivor = makeInbox(options);
  EXPECT_TRUE(survivor->take("node-b", 10, 0ms).value().empty());  // not idle long enough
  std::this_thread::sleep_for(300ms);
  auto claimed = survivor->take("node-b", 10, 0ms);
  ASSERT_TRUE(claimed.ok()) << claimed.error().describe();
  ASSERT_EQ(claimed.value().size(), 1u);
  EXPECT_EQ(claimed.value()[0].control_id, "C1");
  EXPECT_TRUE(survivor->finish(claimed.value()[0].id).ok());
}

TEST_F(Hl7InboxTest, RejectKeepsTheMessageAndReasonOnTheRejectedList) {
  auto inbox = makeInbox();
  InboxMessage m = message("C1");
  ASSERT_TRUE(inbox->store(m).ok());
  auto taken = inbox->take("node-a", 1, 0ms);
  ASSERT_EQ(taken.value().size(), 1u);
  clock_.now_ms = kBaseMs + 5000;
  ASSERT_TRUE(inbox->reject(m.id, "ORC-1 'XX' is not an order control code").ok());
  EXPECT_EQ(inbox->depth().value(), 0);
  auto rejected = inbox->rejected(10);
  ASSERT_TRUE(rejected.ok());
  ASSERT_EQ(rejected.value().size(), 1u);
  EXPECT_EQ(rejected.value()[0].message.id, m.id);
  EXPECT_EQ(rejected.value()[0].message.raw, m.raw);
  EXPECT_EQ(rejected.value()[0].reason, "ORC-1 'XX' is not an order control code");
  EXPECT_EQ(rejected.value()[0].rejected_at, fromEpochMs(kBaseMs + 5000));
  EXPECT_EQ(inbox->reject(m.id, "again").error().code, ErrorCode::NotFound);
  EXPECT_EQ(inbox->reject("not-an-id", "x").error().code, ErrorCode::InvalidInput);
}

TEST_F(Hl7InboxTest, BatchStoresEachMessageOnItsOwn) {
  auto inbox = makeInbox();
  InboxMessage a = message("B1"), b = message("B2"), dup = message("B1"), bad = message("");
  auto results = inbox->storeBatch({&a, &b, &dup, &bad});
  ASSERT_TRUE(results.ok()) << results.error().describe();
  ASSERT_EQ(results.value().size(), 4u);
  EXPECT_EQ(results.value()[0].value(), InboxStoreResult::Stored);
  EXPECT_EQ(results.value()[1].value(), InboxStoreResult::Stored);
  EXPECT_EQ(results.value()[2].value(), InboxStoreResult::Duplicate);  // within the batch
  EXPECT_EQ(dup.id, a.id);
  EXPECT_EQ(results.value()[3].error().code, ErrorCode::InvalidInput);
  EXPECT_EQ(inbox->depth().value(), 2);
}

TEST_F(Hl7InboxTest, RedisDownIsUnavailableAndNothingIsClaimedStored) {
  auto inbox = makeInbox();
  server_->kill();
  InboxMessage m = message("C1");
  auto stored = inbox->store(m);
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.error().code, ErrorCode::Unavailable);
  EXPECT_TRUE(m.id.empty());
  ASSERT_TRUE(server_->start()) << server_->error();
  EXPECT_EQ(inbox->store(m).value(), InboxStoreResult::Stored);  // reconnects
}

TEST_F(Hl7InboxTest, StoredMessagesSurviveARedisKill) {
  // appendfsync as the test server runs it; a SIGKILL (not a power loss) loses nothing that
  // Redis answered, because the append-only file is written before the reply.
  auto inbox = makeInbox();
  for (int i = 0; i < 50; ++i) {
    InboxMessage m = message("K" + std::to_string(i));
    ASSERT_TRUE(inbox->store(m).ok());
  }
  server_->kill();
  ASSERT_TRUE(server_->start()) << server_->error();
  auto after = makeInbox();
  EXPECT_EQ(after->depth().value(), 50);
  auto taken = after->take("node-a", 100, 0ms);
  ASSERT_TRUE(taken.ok()) << taken.error().describe();
  EXPECT_EQ(taken.value().size(), 50u);
}

TEST_F(Hl7InboxTest, GroupCommitFromEightThreadsStoresEveryMessageOnce) {
  engine::Metrics metrics;
  engine::GroupCommitStore store(makeInbox(), nullptr, metrics);
  store.start();
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        InboxMessage m = message("G" + std::to_string(t) + "-" + std::to_string(i));
        auto result = store.store(m);
        if (result && result.value() == InboxStoreResult::Stored) ++stored;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  store.stop();
  EXPECT_EQ(stored.load(), 1600);
  EXPECT_EQ(makeInbox()->depth().value(), 1600);
  const std::string text = metrics.renderPrometheus();
  EXPECT_NE(text.find("sundial_hl7_store_batched_messages_total 1600"), std::string::npos);
}

}  // namespace
}  // namespace sundial::adapters::redis
