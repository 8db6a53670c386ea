#include "engine/hl7_ingest/group_commit_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/fake_hl7_inbox.h"

namespace sundial::engine {
namespace {

// Records what the writer thread publishes; read by the test after stop() joined it.
class RecordingPublisher final : public EventPublisher {
 public:
  explicit RecordingPublisher(std::vector<Event>& out) : out_(out) {}
  Result<void> publish(const Event& event) override {
    out_.push_back(event);
    return okResult();
  }

 private:
  std::vector<Event>& out_;
};

InboxMessage message(const std::string& control_id) {
  InboxMessage m;
  m.site = "DEMO";
  m.sender = "RIS|DEMO_HOSP";
  m.control_id = control_id;
  m.message_type = "ORM^O01";
  m.raw = "MSH|...";
  return m;
}

TEST(GroupCommitStore, StoresFromManyThreadsInFewerBatchesAndPublishesEachNewMessage) {
  auto inbox = std::make_unique<sundial::testing::FakeHl7Inbox>();
  auto* fake = inbox.get();
  std::vector<Event> events;
  Metrics metrics;
  GroupCommitStore store(std::move(inbox), std::make_unique<RecordingPublisher>(events), metrics);
  store.start();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        InboxMessage m = message("T" + std::to_string(t) + "-" + std::to_string(i));
        auto result = store.store(m);
        if (result && result.value() == InboxStoreResult::Stored && !m.id.empty()) ++stored;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  // A repeat is a duplicate and publishes nothing.
  InboxMessage repeat = message("T0-0");
  auto again = store.store(repeat);
  store.stop();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), InboxStoreResult::Duplicate);
  EXPECT_EQ(stored.load(), kThreads * kPerThread);
  EXPECT_EQ(fake->stored.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_LE(fake->batch_calls, kThreads * kPerThread + 1);
  ASSERT_EQ(events.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::get<Hl7MessageStored>(events[0]).site, "DEMO");
  std::printf("batches=%d for %d messages\n", fake->batch_calls, kThreads * kPerThread + 1);
}

TEST(GroupCommitStore, InboxDownFailsEveryMessageOfTheBatchAsUnavailable) {
  auto inbox = std::make_unique<sundial::testing::FakeHl7Inbox>();
  inbox->available = false;
  Metrics metrics;
  GroupCommitStore store(std::move(inbox), nullptr, metrics);
  store.start();
  InboxMessage m = message("X1");
  auto result = store.store(m);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Unavailable);
  EXPECT_TRUE(m.id.empty());
}

TEST(GroupCommitStore, AfterStopNothingIsTakenAndTheCallerHearsUnavailable) {
  Metrics metrics;
  GroupCommitStore store(std::make_unique<sundial::testing::FakeHl7Inbox>(), nullptr, metrics);
  store.start();
  store.stop();
  InboxMessage m = message("X2");
  auto result = store.store(m);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Unavailable);
}

}  // namespace
}  // namespace sundial::engine
