#pragma once
// RedisStateStore: engine::StateStore on Redis. Owns one RedisClient, so one instance
// belongs to one thread (the engine loop). Every operation is one round trip; each change
// that touches several keys is one Lua script (see KeySchema for the layout).
//
// Destinations: recordInstances stores, per instance, the destinations it must reach
// (InstanceRecord::destinations) and a remaining count; completeStudy may add destinations
// (the routing decision comes at completion) and the count grows with them. An instance is
// done, and its spool file may go, when every destination known to it is sent or dead.

#include <string>
#include <string_view>
#include <vector>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/store/state_store.h"

namespace sundial::adapters::redis {

class RedisStateStore final : public engine::StateStore {
 public:
  // `key_prefix` is RedisConfig::key_prefix ("sundial"). `node` is this node's name: the
  // spool of the node that records instances holds their files, so their forward jobs go to
  // its ready lists, and routeStudy() returns only files on it. Empty: no node (tests).
  RedisStateStore(RedisClientOptions client, std::string_view key_prefix,
                  std::string node = {});

  // Errors: InvalidInput when a UID or destination name cannot be used in a key (nothing of
  // the batch is written), Unavailable when Redis is down.
  Result<std::vector<engine::RecordOutcome>> recordInstances(
      const std::vector<engine::InstanceRecord>& batch) override;
  // NotFound when the study was never recorded.
  Result<void> completeStudy(const std::string& study_uid, UtcTime completed_at,
                             const std::vector<std::string>& destinations) override;
  Result<std::optional<UtcTime>> completeStudyIfQuiet(
      const std::string& study_uid, UtcTime completed_at, std::chrono::milliseconds quiet,
      const std::vector<std::string>& destinations) override;
  Result<engine::RouteOutcome> routeStudy(const std::string& study_uid,
                                          const std::vector<std::string>& destinations) override;
  Result<std::vector<engine::OpenStudy>> openStudies() override;
  // NotFound when the study was never recorded (or was forgotten).
  Result<StudyFacts> studyFacts(const std::string& study_uid) override;
  Result<std::vector<bool>> knownInstances(const std::vector<std::string>& sop_uids) override;
  Result<std::vector<bool>> finishedInstances(const std::vector<std::string>& sop_uids) override;
  Result<std::vector<engine::StudySummary>> listStudies(int limit) override;
  Result<int> forgetFinishedStudies(UtcTime cutoff, int max) override;
  Result<void> ping() override;
  Result<std::vector<std::string>> takeReleasedFiles(int max) override;

  const KeySchema& keys() const { return keys_; }
  RedisClient& clientForTest() { return client_; }

 private:
  Result<std::optional<UtcTime>> runCompletion(const std::string& study_uid, UtcTime completed_at,
                                               std::optional<std::chrono::milliseconds> quiet,
                                               const std::vector<std::string>& destinations);

  RedisClient client_;
  KeySchema keys_;
  std::string node_;
};

}  // namespace sundial::adapters::redis
