#pragma once
// RedisHl7Inbox: engine::Hl7Inbox on a Redis stream with a consumer group (keys in
// Hl7KeySchema). Owns one RedisClient, so one instance belongs to one thread: the ingest
// service's writer thread stores, the inbox processor's thread takes (each with its own).
//
// "Stored" means Redis answered the store script: with the append-only file on, Redis has
// written the entry to the file (write(2), before it replies), so a crash of the engine or
// of redis-server loses nothing acknowledged. Whether a power loss can lose it is Redis's
// appendfsync policy: `always` fsyncs before replying (once per event-loop round, so a
// pipelined batch costs one fsync), `everysec` may lose up to about a second.
// appendfsyncPolicy() says which one the server runs (logged by the ingest service at start).
//
// Errors (STYLE.md §4): InvalidInput for a message without site or control id, or an id
// that is not a stream id; Unavailable when Redis is down or refuses the write (nothing was
// stored: the sender must retry); NotFound when finishing or rejecting an unknown id.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/redis/hl7_key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/domain/clock.h"
#include "engine/store/hl7_inbox.h"

namespace sundial::adapters::redis {

struct Hl7InboxOptions {
  // How long a (site, sender, control id) is remembered to answer repeats as duplicates.
  std::chrono::milliseconds duplicate_window{std::chrono::hours(24 * 7)};
  // take() also claims messages another consumer took and left unfinished this long (a
  // node that died and does not come back under the same name).
  std::chrono::milliseconds claim_idle_after{std::chrono::minutes(5)};
  // The rejected stream is trimmed to about this many entries.
  long long rejected_kept = 100'000;
};

// One entry of the rejected stream, for an admin.
struct RejectedHl7Message {
  engine::InboxMessage message;  // id: its inbox id
  std::string reason;
  UtcTime rejected_at{};
};

class RedisHl7Inbox final : public engine::Hl7Inbox {
 public:
  // `clock` stamps rejections and must outlive the inbox.
  RedisHl7Inbox(RedisClientOptions client, std::string_view key_prefix, const Clock& clock,
                Hl7InboxOptions options = {});

  Result<engine::InboxStoreResult> store(engine::InboxMessage& message) override;
  // One pipeline of store scripts: one round trip (and, with appendfsync always, one fsync)
  // for the whole batch.
  Result<std::vector<Result<engine::InboxStoreResult>>> storeBatch(
      std::vector<engine::InboxMessage*> messages) override;
  Result<std::vector<engine::InboxMessage>> take(const std::string& consumer, size_t max,
                                                 std::chrono::milliseconds wait) override;
  Result<void> finish(const std::string& id) override;
  Result<void> reject(const std::string& id, const std::string& reason) override;

  // Newest first, at most `limit`.
  Result<std::vector<RejectedHl7Message>> rejected(size_t limit);
  // Messages in the inbox not yet finished (taken or not).
  Result<long long> depth();
  // The server's appendfsync setting ("always", "everysec", "no").
  Result<std::string> appendfsyncPolicy();

  const Hl7KeySchema& keys() const { return keys_; }
  RedisClient& clientForTest() { return client_; }

 private:
  Result<std::vector<engine::InboxMessage>> readGroup(const std::vector<std::string>& command,
                                                      std::chrono::milliseconds block);
  Result<std::vector<engine::InboxMessage>> claimIdle(const std::string& consumer, size_t max);
  Result<void> createGroup();

  RedisClient client_;
  Hl7KeySchema keys_;
  const Clock& clock_;
  Hl7InboxOptions options_;
};

}  // namespace sundial::adapters::redis
