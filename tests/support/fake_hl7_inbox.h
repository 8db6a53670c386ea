#pragma once
// FakeHl7Inbox: engine::Hl7Inbox in memory, for unit tests of whatever stores into or takes
// from the HL7 inbox. Same duplicate rule as the Redis inbox: (site, sender, control id).
// `available = false` makes every call fail with Unavailable, as a Redis that is down.
// Not thread-safe: one test thread.

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/store/hl7_inbox.h"

namespace sundial::testing {

class FakeHl7Inbox final : public engine::Hl7Inbox {
 public:
  bool available = true;
  std::vector<engine::InboxMessage> stored;             // in store order
  std::set<std::string> pending;                        // taken, not finished
  std::set<std::string> finished;
  std::vector<std::pair<std::string, std::string>> rejected;  // id, reason
  int store_calls = 0;
  int batch_calls = 0;

  Result<engine::InboxStoreResult> store(engine::InboxMessage& message) override;
  Result<std::vector<Result<engine::InboxStoreResult>>> storeBatch(
      std::vector<engine::InboxMessage*> messages) override;
  Result<std::vector<engine::InboxMessage>> take(const std::string& consumer, size_t max,
                                                 std::chrono::milliseconds wait) override;
  Result<void> finish(const std::string& id) override;
  Result<void> reject(const std::string& id, const std::string& reason) override;

 private:
  std::map<std::tuple<std::string, std::string, std::string>, std::string> seen_;
  std::size_t next_to_take_ = 0;
};

}  // namespace sundial::testing
