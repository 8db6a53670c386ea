#pragma once
// RedisForwardQueue: engine::ForwardQueue on Redis. Owns one RedisClient, so one instance
// belongs to one forward worker thread. Ready lists are per node: a job can only be sent by
// the node whose spool holds its file, so each node's workers claim from their own list. Jobs are SOP Instance UIDs in per-destination lists
// (see KeySchema); every state change is one Lua script, so a job is always in exactly one
// of ready, one worker's in flight, waiting, sent or dead.
//
// claim() blocks in Redis (BLMOVE) when nothing is ready, so a job enqueued from any
// connection wakes the worker within milliseconds. After a claim that found fewer jobs than
// asked for, the next one starts with BLMOVE, which returns at once when a job is there: when
// forwarding keeps up (streaming, the list a job or two deep) that saves the claim script's
// empty round trip before every job.

#include <string>
#include <string_view>
#include <vector>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_client.h"
#include "engine/domain/clock.h"
#include "engine/store/forward_queue.h"

namespace sundial::adapters::redis {

class RedisForwardQueue final : public engine::ForwardQueue {
 public:
  // `key_prefix` is RedisConfig::key_prefix; `clock` stamps dead letters and must outlive
  // the queue. `node` is this node's name: claim() takes only jobs whose spool file is on
  // this node (its ready lists); empty for the jobs of instances recorded without a node.
  RedisForwardQueue(RedisClientOptions client, std::string_view key_prefix, const Clock& clock,
                    std::string node = {});

  // Errors: InvalidInput for a destination or worker name that cannot be used in a key,
  // Unavailable when Redis is down (jobs already moved stay in this worker's in-flight list
  // until reclaim).
  Result<std::vector<engine::ForwardJob>> claim(const std::string& destination,
                                                const std::string& worker, int max,
                                                std::chrono::milliseconds wait) override;
  // Marks the job sent even when it is no longer in flight for `worker` (a reclaim raced the
  // send): it left for the destination, so it must not go again. Repeats are harmless and
  // report instance_done again when the instance is done. NotFound for an unknown instance.
  Result<engine::AckOutcome> acknowledge(const engine::ForwardJob& job,
                                         const std::string& worker) override;
  // NotFound when the job is not in flight for `worker` (reclaimed meanwhile).
  Result<void> retryLater(const engine::ForwardJob& job, const std::string& worker, UtcTime due,
                          const std::string& reason) override;
  // NotFound when the job is not in flight for `worker`.
  Result<engine::AckOutcome> deadLetter(const engine::ForwardJob& job, const std::string& worker,
                                        const std::string& reason) override;
  Result<int> promoteDueRetries(const std::string& destination, UtcTime now) override;
  Result<int> reclaim(const std::string& destination, const std::string& worker) override;
  Result<engine::QueueDepth> depth(const std::string& destination) override;
  Result<std::vector<engine::DeadLetter>> deadLetters(const std::string& destination,
                                                      int limit) override;

  const KeySchema& keys() const { return keys_; }
  RedisClient& clientForTest() { return client_; }

 private:
  Result<std::vector<engine::ForwardJob>> runClaim(const std::string& destination,
                                                   const std::string& worker, int max,
                                                   const std::vector<std::string>& moved);

  RedisClient client_;
  KeySchema keys_;
  const Clock& clock_;
  std::string node_;
  // The last claim found fewer jobs than asked for: the list is likely empty or nearly so.
  // One flag for the object: right because each forward worker owns its queue object and
  // claims for one destination. False at first, so that the first claim runs the script,
  // which registers the worker and its node (depth() counts in-flight and ready jobs through
  // those sets).
  bool ready_list_short_ = false;
};

}  // namespace sundial::adapters::redis
