#include "engine/hl7_ingest/group_commit_store.h"

#include <future>

#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::engine {

// One message waiting for its batch. Shared by the caller and the writer: a caller that
// gave up (timeout) leaves the writer a message it still owns.
struct GroupCommitStore::Pending {
  InboxMessage message;
  std::promise<Result<InboxStoreResult>> done;
};

GroupCommitStore::GroupCommitStore(std::unique_ptr<Hl7Inbox> inbox,
                                   std::unique_ptr<EventPublisher> publisher, Metrics& metrics,
                                   GroupCommitOptions options)
    : inbox_(std::move(inbox)),
      publisher_(std::move(publisher)),
      options_(options),
      batch_seconds_(metrics.histogram("sundial_hl7_store_batch_seconds",
                                       "Time to store one batch of HL7 messages in the inbox")),
      batches_(metrics.counter("sundial_hl7_store_batches_total",
                               "Batches written to the HL7 inbox (group commit)")),
      batched_messages_(metrics.counter("sundial_hl7_store_batched_messages_total",
                                        "HL7 messages written to the inbox in batches")) {}

GroupCommitStore::~GroupCommitStore() { stop(); }

void GroupCommitStore::start() {
  if (writer_.joinable()) return;
  writer_ = std::thread([this] {
    nameThisThread("hl7-store");
    run();
  });
}

void GroupCommitStore::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  // Whatever is still queued was never written: its sender gets no ACK and retries.
  std::deque<std::shared_ptr<Pending>> left;
  {
    const std::lock_guard lock(mutex_);
    left.swap(queue_);
  }
  for (auto& pending : left) {
    pending->done.set_value(makeError(ErrorCode::Unavailable, "HL7 ingest is stopping"));
  }
}

Result<InboxStoreResult> GroupCommitStore::store(InboxMessage& message) {
  auto pending = std::make_shared<Pending>();
  pending->message = message;
  std::future<Result<InboxStoreResult>> done = pending->done.get_future();
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return makeError(ErrorCode::Unavailable, "HL7 ingest is stopping");
    queue_.push_back(pending);
  }
  wake_.notify_one();
  if (done.wait_for(options_.store_timeout) != std::future_status::ready) {
    return makeError(ErrorCode::Timeout, "the HL7 inbox did not confirm the store in time",
                     "site=" + message.site);
  }
  Result<InboxStoreResult> result = done.get();
  if (result) message.id = pending->message.id;
  return result;
}

void GroupCommitStore::run() {
  std::vector<std::shared_ptr<Pending>> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    writeBatch(batch);
    batch.clear();
  }
}

void GroupCommitStore::writeBatch(std::vector<std::shared_ptr<Pending>>& batch) {
  std::vector<InboxMessage*> messages;
  messages.reserve(batch.size());
  for (auto& pending : batch) messages.push_back(&pending->message);
  const auto started = std::chrono::steady_clock::now();
  auto results = inbox_->storeBatch(messages);
  batch_seconds_.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  batches_.add();
  batched_messages_.add(batch.size());
  if (!results) {
    log::warn("hl7_store_failed", {{"messages", std::to_string(batch.size())},
                                   {"reason", results.error().describe()}});
    for (auto& pending : batch) pending->done.set_value(results.error());
    return;
  }
  // Answer the callers first: their ACKs wait on it; the bus only wakes the processor.
  std::vector<Hl7MessageStored> events;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    Result<InboxStoreResult>& result = results.value()[i];
    if (result && result.value() == InboxStoreResult::Stored) {
      const InboxMessage& m = batch[i]->message;
      events.push_back(Hl7MessageStored{m.id, m.site, m.message_type});
    }
    batch[i]->done.set_value(std::move(result));
  }
  if (!publisher_) return;
  for (Hl7MessageStored& event : events) {
    if (auto published = publisher_->publish(Event{std::move(event)}); !published) {
      // The inbox holds the message; the processor finds it on its next take.
      log::warn("hl7_event_not_published", {{"reason", published.error().describe()}});
    }
  }
}

}  // namespace sundial::engine
