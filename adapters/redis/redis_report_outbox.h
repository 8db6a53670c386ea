#pragma once
// RedisReportOutbox: engine::OutboxStore on Redis (keys in OutboxKeySchema, every state change
// one script in outbox_scripts). Owns one RedisClient, so one instance belongs to one thread
// (a sender, or the outbox that enqueues under its own lock).
//
// claim() blocks in Redis (BLMOVE) when nothing is ready, so a report queued from any
// connection wakes its site's sender within milliseconds.

#include <chrono>
#include <string>
#include <string_view>

#include "adapters/redis/outbox_key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/domain/clock.h"
#include "engine/reports/outbox_store.h"

namespace sundial::adapters::redis {

class RedisReportOutbox final : public engine::OutboxStore {
 public:
  static constexpr std::chrono::hours kDefaultDeliveredRetention{24 * 7};

  // `key_prefix` is RedisConfig::key_prefix; `clock` stamps state changes and must outlive
  // the outbox. Delivered deliveries are kept `delivered_retention`, then expire.
  RedisReportOutbox(RedisClientOptions client, std::string_view key_prefix, const Clock& clock,
                    std::chrono::seconds delivered_retention = kDefaultDeliveredRetention);

  // Errors everywhere: InvalidInput for a site, worker or delivery id that cannot be used in a
  // key, Unavailable when Redis is down.
  Result<void> add(const engine::OutboxEntry& entry) override;
  Result<std::optional<engine::OutboxEntry>> claim(const std::string& site,
                                                   const std::string& worker,
                                                   std::chrono::milliseconds wait) override;
  // NotFound for an unknown delivery (expired or never stored).
  Result<void> markDelivered(const engine::OutboxEntry& entry, const std::string& worker) override;
  Result<void> retryLater(const engine::OutboxEntry& entry, const std::string& worker, UtcTime due,
                          const std::string& reason) override;
  Result<void> deadLetter(const engine::OutboxEntry& entry, const std::string& worker,
                          const std::string& reason) override;
  Result<int> promoteDueRetries(const std::string& site, UtcTime now) override;
  Result<int> reclaim(const std::string& site, const std::string& worker) override;
  Result<engine::OutboxDepth> depth(const std::string& site) override;
  Result<std::vector<engine::OutboxDeadLetter>> deadLetters(const std::string& site,
                                                            int limit) override;
  Result<std::string> retryDead(const std::string& delivery_id) override;
  Result<std::vector<engine::OutboxOutcome>> unappliedOutcomes(const std::string& site,
                                                               int limit) override;
  Result<void> outcomeApplied(const std::string& site, const std::string& delivery_id) override;

  const OutboxKeySchema& keys() const { return keys_; }
  RedisClient& clientForTest() { return client_; }

 private:
  Result<std::optional<engine::OutboxEntry>> runClaim(const std::string& site,
                                                      const std::string& worker,
                                                      const std::string& moved);

  RedisClient client_;
  OutboxKeySchema keys_;
  const Clock& clock_;
  std::chrono::seconds delivered_retention_;
};

}  // namespace sundial::adapters::redis
