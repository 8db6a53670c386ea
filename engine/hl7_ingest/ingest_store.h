#pragma once
// IngestStore: where the ingest service puts a checked message before it acknowledges it.
// Two implementations: DirectIngestStore (the caller's thread stores into an Hl7Inbox; for
// tests and tools) and GroupCommitStore (many connections, one writer thread, one Redis
// round trip per batch).

#include "engine/domain/result.h"
#include "engine/store/hl7_inbox.h"

namespace sundial::engine {

class IngestStore {
 public:
  virtual ~IngestStore() = default;
  // Stored or Duplicate once the message is durable (InboxMessage::id set); an error when it
  // is not known to be stored, in which case the sender must not get an AA.
  virtual Result<InboxStoreResult> store(InboxMessage& message) = 0;
};

// Stores on the calling thread. Not thread-safe: the inbox belongs to one thread.
class DirectIngestStore final : public IngestStore {
 public:
  explicit DirectIngestStore(Hl7Inbox& inbox) : inbox_(inbox) {}
  Result<InboxStoreResult> store(InboxMessage& message) override { return inbox_.store(message); }

 private:
  Hl7Inbox& inbox_;
};

}  // namespace sundial::engine
