#pragma once
// RedisTaskStore: worklist::TaskStore on Redis (keys in task_key_schema.h). Every change is
// one Lua script (kApplyTaskChange) that compares the stored version, so concurrent claims
// from two readers or two nodes cannot both succeed. Owns one RedisClient: one instance per
// thread.

#include <string>
#include <string_view>

#include "adapters/redis/redis_client.h"
#include "adapters/redis/task_key_schema.h"
#include "worklist/task_store.h"

namespace sundial::adapters::redis {

class RedisTaskStore final : public worklist::TaskStore {
 public:
  // Changes kept in the stream for clients that reconnect (Last-Event-ID).
  static constexpr long long kChangeStreamLength = 10'000;

  RedisTaskStore(RedisClientOptions client, std::string_view key_prefix);

  Result<std::string> newTaskId() override;
  Result<void> create(const worklist::Task& task, const worklist::TaskEvent& created) override;
  Result<worklist::Task> get(const std::string& id) override;
  Result<std::vector<worklist::TaskEvent>> history(const std::string& id) override;
  Result<bool> update(const worklist::Task& before, const worklist::Task& after,
                      const worklist::TaskEvent& event) override;
  Result<std::vector<worklist::Task>> list(const worklist::TaskFilter& filter) override;
  Result<std::optional<std::string>> findByAccession(const std::string& site,
                                                     const std::string& accession) override;
  Result<std::optional<std::string>> findByStudy(const std::string& study_uid) override;
  Result<std::vector<std::string>> lapsedLeases(UtcTime now, std::size_t max) override;
  Result<std::vector<worklist::DueSlaTimer>> dueSlaTimers(UtcTime now, std::size_t max) override;
  Result<void> forgetTimer(const std::string& id, worklist::SlaTimerKind kind) override;
  Result<std::optional<UtcTime>> nextTimer() override;
  Result<std::vector<worklist::Task>> deliveredBetween(UtcTime from, UtcTime to) override;
  Result<std::string> latestChangeId() override;
  Result<std::vector<worklist::TaskChange>> readChanges(const std::string& after,
                                                        std::chrono::milliseconds block,
                                                        std::size_t max) override;

  Result<void> recordBreach(const worklist::SlaBreachRecord& breach, std::size_t keep) override;
  Result<std::vector<worklist::SlaBreachRecord>> recentBreaches(std::size_t max) override;

  const TaskKeySchema& keys() const { return keys_; }
  RedisClient& client() { return client_; }

 private:
  Result<bool> apply(const worklist::Task* before, const worklist::Task& after,
                     const worklist::TaskEvent& event);
  Result<std::vector<worklist::Task>> fetch(const std::string& index, std::string_view kind,
                                            const worklist::TaskFilter& filter);
  Result<std::vector<worklist::Task>> listOpen(const worklist::TaskFilter& filter);
  // Older data has no query indexes: fill them before the first query (once per instance;
  // the script itself does nothing when they exist).
  Result<void> buildQueryIndexesOnce();

  RedisClient client_;
  TaskKeySchema keys_;
  bool query_indexes_built_ = false;
};

}  // namespace sundial::adapters::redis
