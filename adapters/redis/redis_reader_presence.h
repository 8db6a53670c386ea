#pragma once
// RedisReaderPresence: worklist::ReaderPresence on Redis. Presence is the hash reader:<id>
// (last_heartbeat_ms, status online|offline); load is counted from the reader's task set
// (tasks:reader:<id>) and each task's rvu, in one script. Owns one RedisClient: one thread.

#include <chrono>
#include <string_view>

#include "adapters/redis/redis_client.h"
#include "adapters/redis/task_key_schema.h"
#include "worklist/reader_presence.h"

namespace sundial::adapters::redis {

class RedisReaderPresence final : public worklist::ReaderPresence {
 public:
  RedisReaderPresence(RedisClientOptions client, std::string_view key_prefix,
                      std::chrono::milliseconds offline_after);

  Result<void> heartbeat(const std::string& reader, UtcTime now) override;
  Result<void> signOff(const std::string& reader, UtcTime now) override;
  Result<std::vector<worklist::ReaderLoad>> load(const std::vector<std::string>& readers,
                                                 UtcTime now) override;

 private:
  RedisClient client_;
  TaskKeySchema keys_;
  std::chrono::milliseconds offline_after_;
};

}  // namespace sundial::adapters::redis
