#pragma once
// GroupCommitStore: stores the messages of every MLLP connection through one writer thread
// that owns the inbox (and its Redis connection). Whatever arrived while the previous batch
// was being written goes out as the next batch: one storeBatch() (one Redis pipeline) for
// all of them, so the cost of a round trip (and of an fsync, with appendfsync always) is
// shared instead of paid per message. Then, for each newly stored message, an
// Hl7MessageStored event on the bus, from the writer thread.
//
// Threads: store() from any number of threads (the MLLP server's io threads); it blocks the
// caller until its batch is written or `store_timeout` passes (then Timeout: the sender
// gets no ACK; should the write still succeed, the sender's retry is a duplicate). start()
// and stop() from the owning thread; stop() fails what is still queued with Unavailable.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/bus/event_bus.h"
#include "engine/hl7_ingest/ingest_store.h"
#include "engine/metrics/metrics.h"

namespace sundial::engine {

struct GroupCommitOptions {
  std::size_t max_batch = 256;
  std::chrono::milliseconds store_timeout{10'000};
};

class GroupCommitStore final : public IngestStore {
 public:
  // `publisher` may be null (no bus); it is used from the writer thread only.
  GroupCommitStore(std::unique_ptr<Hl7Inbox> inbox, std::unique_ptr<EventPublisher> publisher,
                   Metrics& metrics, GroupCommitOptions options = {});
  ~GroupCommitStore() override;  // stop()

  void start();
  void stop();

  Result<InboxStoreResult> store(InboxMessage& message) override;

 private:
  struct Pending;
  void run();
  void writeBatch(std::vector<std::shared_ptr<Pending>>& batch);

  std::unique_ptr<Hl7Inbox> inbox_;  // writer thread only
  std::unique_ptr<EventPublisher> publisher_;  // writer thread only
  GroupCommitOptions options_;
  Histogram& batch_seconds_;
  Counter& batches_;
  Counter& batched_messages_;

  std::mutex mutex_;  // guards queue_ and stopping_; nothing foreign is called holding it
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace sundial::engine
