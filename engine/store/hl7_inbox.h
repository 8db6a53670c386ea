#pragma once
// The HL7 inbox: every message a site sends, stored durably before it is acknowledged, then
// taken by the engine's inbox processor (orders, ADT, reports). Implemented on a Redis
// stream with a consumer group (adapters/redis), so a message taken by a node that dies is
// taken again, and several nodes share the work.

#include <chrono>
#include <string>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"

namespace sundial::engine {

struct InboxMessage {
  std::string id;            // the inbox's id for it (set by store())
  std::string site;          // configured site, from MSH-3/MSH-4
  std::string sender;        // "MSH-3|MSH-4" as sent
  std::string control_id;    // MSH-10
  std::string message_type;  // MSH-9.1^MSH-9.2, e.g. "ORM^O01"
  UtcTime received_at{};
  std::string raw;           // the message exactly as received (without MLLP framing)
};

enum class InboxStoreResult { Stored, Duplicate };

class Hl7Inbox {
 public:
  virtual ~Hl7Inbox() = default;

  // Stores the message durably, unless the same sender's control id was stored before (then
  // Duplicate: acknowledge again, do not process again). Fails only when nothing was stored.
  virtual Result<InboxStoreResult> store(InboxMessage& message) = 0;

  // Stores several messages at once (the ingest service's group commit: one round trip for
  // what every connection sent meanwhile). One result per message, in order; each message
  // stands alone (one failing does not undo another). Fails as a whole only when nothing
  // was stored. The default stores them one by one.
  virtual Result<std::vector<Result<InboxStoreResult>>> storeBatch(
      std::vector<InboxMessage*> messages) {
    std::vector<Result<InboxStoreResult>> results;
    results.reserve(messages.size());
    for (InboxMessage* message : messages) results.push_back(store(*message));
    return results;
  }

  // Up to `max` messages for `consumer` (a name unique per node): first those it took and
  // did not finish (after a restart), then new ones, waiting up to `wait` for one.
  virtual Result<std::vector<InboxMessage>> take(const std::string& consumer, size_t max,
                                                 std::chrono::milliseconds wait) = 0;
  // Processed (whatever the outcome): it will not be taken again.
  virtual Result<void> finish(const std::string& id) = 0;
  // Cannot be processed: kept with the reason on the inbox's rejected list for an admin.
  virtual Result<void> reject(const std::string& id, const std::string& reason) = 0;
};

}  // namespace sundial::engine
