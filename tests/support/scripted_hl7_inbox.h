#pragma once
// ScriptedHl7Inbox: engine::Hl7Inbox in memory for the inbox processor tests, as the Redis
// stream behaves: take() hands out first what the consumer took and did not finish, then new
// messages; finish and reject end a message. `available = false` makes every call
// Unavailable. (The HL7 ingest part has its own FakeHl7Inbox for the storing side.)

#include <map>
#include <string>
#include <vector>

#include "engine/store/hl7_inbox.h"

namespace sundial::testing {

class ScriptedHl7Inbox final : public engine::Hl7Inbox {
 public:
  bool available = true;

  Result<engine::InboxStoreResult> store(engine::InboxMessage& message) override;
  Result<std::vector<engine::InboxMessage>> take(const std::string& consumer, size_t max,
                                                 std::chrono::milliseconds wait) override;
  Result<void> finish(const std::string& id) override;
  Result<void> reject(const std::string& id, const std::string& reason) override;

  // Stores a message as the listener would (site, type and text), returns its id.
  std::string add(const std::string& site, const std::string& message_type,
                  const std::string& raw);

  std::vector<engine::InboxMessage> stored;        // in order
  std::map<std::string, std::string> taken;        // id -> consumer, until finished
  std::vector<std::string> finished;
  std::map<std::string, std::string> rejected;     // id -> reason
  size_t next_new = 0;                             // index in stored of the first not taken
};

}  // namespace sundial::testing
