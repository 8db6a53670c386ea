// RedisReportOutbox against a real redis-server started per test: the scripts, blocking
// claims, retries, dead letters, reclaim after a worker dies, and a retry of a dead letter.
#include "adapters/redis/redis_report_outbox.h"

#include <gtest/gtest.h>

#include <thread>

#include "adapters/redis/outbox_scripts.h"
#include "tests/integration/redis/redis_test_fixture.h"
#include "tests/support/outbox_store_contract.h"

namespace sundial::adapters::redis {
namespace {

constexpr char kSite[] = "NORTH";
constexpr char kWorker[] = "node1-reports-NORTH";

engine::OutboxEntry entry(const std::string& id, const std::string& site = kSite) {
  engine::OutboxEntry e;
  e.delivery_id = id;
  e.task_id = "task-" + id;
  e.site = site;
  // Binary-safe: Latin-1 bytes and a CR survive as they are.
  e.message = "MSH|^~\\&|SUNDIAL|||||ORU^R01|" + id + "|P|2.5.1\rOBX|1|TX|||L\xE9sion\r";
  e.queued_at = fromEpochMs(kBaseMs - 1000);
  e.accession_number = "ACC-" + id;
  e.patient_id = "MRN-" + id;
  return e;
}

class RedisReportOutboxTest : public RedisTest {
 protected:
  std::unique_ptr<RedisReportOutbox> outbox(std::chrono::seconds retention = 3600s) {
    return std::make_unique<RedisReportOutbox>(clientOptions(), kPrefix, clock_, retention);
  }
  std::string field(RedisReportOutbox& o, const std::string& id, const std::string& name) {
    return o.clientForTest().command({"HGET", o.keys().delivery(id), name}).value().str;
  }

  ManualClock clock_;
};

TEST_F(RedisReportOutboxTest, StoresThenClaimsOldestFirstWithTheMessageBytesIntact) {
  auto o = outbox();
  ASSERT_TRUE(o->add(entry("D1")).ok());
  ASSERT_TRUE(o->add(entry("D2")).ok());
  EXPECT_EQ(o->depth(kSite).value().ready, 2);

  auto first = o->claim(kSite, kWorker, 0ms);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  ASSERT_TRUE(first.value());
  EXPECT_EQ(first.value()->delivery_id, "D1");
  EXPECT_EQ(first.value()->task_id, "task-D1");
  EXPECT_EQ(first.value()->site, kSite);
  EXPECT_EQ(first.value()->message, entry("D1").message);
  EXPECT_EQ(first.value()->attempts, 0);
  EXPECT_EQ(first.value()->queued_at, fromEpochMs(kBaseMs - 1000));
  EXPECT_EQ(first.value()->accession_number, "ACC-D1");
  EXPECT_EQ(first.value()->patient_id, "MRN-D1");
  EXPECT_EQ(field(*o, "D1", "state"), outbox_scripts::kStateInFlight);

  const auto depth = o->depth(kSite).value();
  EXPECT_EQ(depth.ready, 1);
  EXPECT_EQ(depth.in_flight, 1);
}

TEST_F(RedisReportOutboxTest, RefusesATakenIdAndBadNames) {
  auto o = outbox();
  ASSERT_TRUE(o->add(entry("D1")).ok());
  auto again = o->add(entry("D1"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::Duplicate);
  EXPECT_EQ(o->depth(kSite).value().ready, 1);

  auto bad_site = o->add(entry("D2", "NO:RTH"));
  ASSERT_FALSE(bad_site.ok());
  EXPECT_EQ(bad_site.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(bad_site.error().message.find("NO:RTH"), std::string::npos);
}

TEST_F(RedisReportOutboxTest, AClaimWaitsForAReportQueuedFromAnotherConnection) {
  auto sender = outbox();
  std::thread producer([this] {
    std::this_thread::sleep_for(200ms);
    auto other = outbox();
    EXPECT_TRUE(other->add(entry("D1")).ok());
  });
  const auto started = std::chrono::steady_clock::now();
  auto claimed = sender->claim(kSite, kWorker, 5000ms);
  const auto waited = std::chrono::steady_clock::now() - started;
  producer.join();
  ASSERT_TRUE(claimed.ok()) << claimed.error().describe();
  ASSERT_TRUE(claimed.value());
  EXPECT_EQ(claimed.value()->delivery_id, "D1");
  EXPECT_LT(waited, 3000ms);
  EXPECT_EQ(field(*sender, "D1", "state"), outbox_scripts::kStateInFlight);

  auto nothing = sender->claim(kSite, kWorker, 100ms);
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing.value());
}

TEST_F(RedisReportOutboxTest, RetriesWaitUntilDueWithTheirReasonAndAttempts) {
  auto o = outbox();
  ASSERT_TRUE(o->add(entry("D1")).ok());
  auto claimed = o->claim(kSite, kWorker, 0ms).value().value();
  ASSERT_TRUE(o->retryLater(claimed, kWorker, fromEpochMs(kBaseMs + 5000), "AE: busy").ok());
  EXPECT_EQ(field(*o, "D1", "state"), outbox_scripts::kStateWaiting);
  EXPECT_EQ(o->depth(kSite).value().waiting, 1);

  EXPECT_EQ(o->promoteDueRetries(kSite, fromEpochMs(kBaseMs + 4999)).value(), 0);
  EXPECT_FALSE(o->claim(kSite, kWorker, 0ms).value());
  EXPECT_EQ(o->promoteDueRetries(kSite, fromEpochMs(kBaseMs + 5000)).value(), 1);
  auto again = o->claim(kSite, kWorker, 0ms).value();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_EQ(again->last_error, "AE: busy");

  // Not in flight for another worker: refused, nothing changes.
  auto wrong = o->retryLater(*again, "other-worker", fromEpochMs(kBaseMs), "x");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::NotFound);
}

TEST_F(RedisReportOutboxTest, DeliveredIsKeptForTheRetentionThenExpires) {
  auto o = outbox(3600s);
  ASSERT_TRUE(o->add(entry("D1")).ok());
  auto claimed = o->claim(kSite, kWorker, 0ms).value().value();
  ASSERT_TRUE(o->markDelivered(claimed, kWorker).ok());
  EXPECT_EQ(field(*o, "D1", "state"), outbox_scripts::kStateDelivered);
  const long long ttl = o->clientForTest().command({"TTL", o->keys().delivery("D1")}).value().integer;
  EXPECT_GT(ttl, 3500);
  EXPECT_LE(ttl, 3600);
  const auto depth = o->depth(kSite).value();
  EXPECT_EQ(depth.ready + depth.in_flight + depth.waiting + depth.dead, 0);
  // A repeat (the sender retrying the record) changes nothing.
  EXPECT_TRUE(o->markDelivered(claimed, kWorker).ok());

  auto unknown = o->markDelivered(entry("NOPE"), kWorker);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
}

TEST_F(RedisReportOutboxTest, DeliveredAfterAReclaimRacedTheSendIsNotSentAgain) {
  auto o = outbox();
  ASSERT_TRUE(o->add(entry("D1")).ok());
  auto claimed = o->claim(kSite, kWorker, 0ms).value().value();
  ASSERT_EQ(o->reclaim(kSite, kWorker).value(), 1);  // back to ready while being sent
  ASSERT_TRUE(o->markDelivered(claimed, kWorker).ok());
  EXPECT_FALSE(o->claim(kSite, kWorker, 0ms).value());
  EXPECT_EQ(field(*o, "D1", "state"), outbox_scripts::kStateDelivered);
}

TEST_F(RedisReportOutboxTest, DeadLettersKeepTheReasonNewestFirstAndCanBeRetried) {
  auto o = outbox();
  for (const char* id : {"D1", "D2"}) {
    ASSERT_TRUE(o->add(entry(id)).ok());
    auto claimed = o->claim(kSite, kWorker, 0ms).value().value();
    clock_.now_ms += 1000;
    ASSERT_TRUE(o->deadLetter(claimed, kWorker, std::string("AR: refused ") + id).ok());
  }
  auto letters = o->deadLetters(kSite, 10);
  ASSERT_TRUE(letters.ok()) << letters.error().describe();
  ASSERT_EQ(letters->size(), 2u);
  EXPECT_EQ(letters.value()[0].delivery_id, "D2");
  EXPECT_EQ(letters.value()[0].reason, "AR: refused D2");
  EXPECT_EQ(letters.value()[0].task_id, "task-D2");
  EXPECT_EQ(letters.value()[0].attempts, 1);
  EXPECT_EQ(letters.value()[0].at, fromEpochMs(kBaseMs + 2000));
  EXPECT_EQ(letters.value()[1].delivery_id, "D1");
  EXPECT_EQ(o->deadLetters(kSite, 1)->size(), 1u);
  EXPECT_EQ(o->depth(kSite).value().dead, 2);

  auto site = o->retryDead("D1");
  ASSERT_TRUE(site.ok()) << site.error().describe();
  EXPECT_EQ(site.value(), kSite);
  EXPECT_EQ(o->depth(kSite).value().dead, 1);
  auto again = o->claim(kSite, kWorker, 0ms).value();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->delivery_id, "D1");
  EXPECT_EQ(again->attempts, 0);              // a full set of tries again
  EXPECT_EQ(again->last_error, "AR: refused D1");  // kept for reference

  auto not_dead = o->retryDead("D1");
  ASSERT_FALSE(not_dead.ok());
  EXPECT_EQ(not_dead.error().code, ErrorCode::NotFound);
  EXPECT_NE(not_dead.error().message.find("not dead-lettered"), std::string::npos);
  auto unknown = o->retryDead("NOPE");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
  EXPECT_EQ(o->retryDead("bad:id").error().code, ErrorCode::NotFound);
}

TEST_F(RedisReportOutboxTest, AWorkersInFlightReportsAreReclaimedWhenItComesBack) {
  {
    auto dying = outbox();
    ASSERT_TRUE(dying->add(entry("D1")).ok());
    ASSERT_TRUE(dying->add(entry("D2")).ok());
    ASSERT_TRUE(dying->add(entry("D3")).ok());
    ASSERT_TRUE(dying->claim(kSite, kWorker, 0ms).value());
    ASSERT_TRUE(dying->claim(kSite, kWorker, 0ms).value());
    // The worker dies here (its connection goes away with it).
  }
  auto restarted = outbox();
  EXPECT_EQ(restarted->depth(kSite).value().in_flight, 2);
  EXPECT_EQ(restarted->reclaim(kSite, kWorker).value(), 2);
  EXPECT_EQ(field(*restarted, "D1", "state"), outbox_scripts::kStateReady);
  const auto depth = restarted->depth(kSite).value();
  EXPECT_EQ(depth.in_flight, 0);
  EXPECT_EQ(depth.ready, 3);
  // Oldest claim first, then the one never claimed.
  for (const char* id : {"D1", "D2", "D3"}) {
    auto claimed = restarted->claim(kSite, kWorker, 0ms).value();
    ASSERT_TRUE(claimed);
    EXPECT_EQ(claimed->delivery_id, id);
  }
}

TEST_F(RedisReportOutboxTest, SitesDoNotShareQueues) {
  auto o = outbox();
  ASSERT_TRUE(o->add(entry("D1", "SOUTH")).ok());
  EXPECT_FALSE(o->claim(kSite, kWorker, 0ms).value());
  EXPECT_EQ(o->depth("SOUTH").value().ready, 1);
}

TEST_F(RedisReportOutboxTest, KeysStayInTheOutboxArea) {
  auto o = outbox();
  ASSERT_TRUE(o->add(entry("D1")).ok());
  ASSERT_TRUE(o->claim(kSite, kWorker, 0ms).value());
  auto keys = o->clientForTest().command({"KEYS", "*"}).value();
  ASSERT_FALSE(keys.elements.empty());
  for (const Reply& key : keys.elements) {
    EXPECT_EQ(key.str.rfind("sundial:v1:outbox:", 0), 0u) << key.str;
  }
}

TEST_F(RedisReportOutboxTest, RedisDownIsUnavailable) {
  auto o = outbox();
  server_->stop();
  auto added = o->add(entry("D1"));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::Unavailable);
}

}  // namespace
}  // namespace sundial::adapters::redis

// The OutboxStore contract (the in-memory fake of the unit tests passes it too).

namespace sundial::testing {
namespace {

struct RedisMaker {
  std::unique_ptr<RedisServerProcess> server;
  bool SetUp() {
    if (!RedisServerProcess::available()) return false;
    server = std::make_unique<RedisServerProcess>(RedisServerOptions{});
    return server->start();
  }
  std::string skipReason() const {
    return server ? "redis-server did not start: " + server->error() : "redis-server is not on PATH";
  }
  std::unique_ptr<engine::OutboxStore> make(const Clock& clock) {
    return std::make_unique<adapters::redis::RedisReportOutbox>(
        adapters::redis::RedisClientOptions{server->address(), std::chrono::milliseconds(1000),
                                            std::chrono::milliseconds(2000)},
        adapters::redis::kPrefix, clock);
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(Redis, OutboxStoreContract, ::testing::Types<RedisMaker>);

}  // namespace
}  // namespace sundial::testing
