#include "tests/support/fake_hl7_inbox.h"

namespace sundial::testing {
namespace {

Error down() { return makeError(ErrorCode::Unavailable, "fake HL7 inbox is down"); }

}  // namespace

Result<engine::InboxStoreResult> FakeHl7Inbox::store(engine::InboxMessage& message) {
  ++store_calls;
  if (!available) return down();
  if (message.site.empty() || message.control_id.empty()) {
    return makeError(ErrorCode::InvalidInput, "site and control id are needed");
  }
  auto key = std::make_tuple(message.site, message.sender, message.control_id);
  if (auto it = seen_.find(key); it != seen_.end()) {
    message.id = it->second;
    return engine::InboxStoreResult::Duplicate;
  }
  message.id = std::to_string(stored.size() + 1) + "-0";
  seen_.emplace(std::move(key), message.id);
  stored.push_back(message);
  return engine::InboxStoreResult::Stored;
}

Result<std::vector<Result<engine::InboxStoreResult>>> FakeHl7Inbox::storeBatch(
    std::vector<engine::InboxMessage*> messages) {
  ++batch_calls;
  if (!available) return down();
  std::vector<Result<engine::InboxStoreResult>> results;
  for (engine::InboxMessage* message : messages) {
    results.push_back(store(*message));
    --store_calls;  // counted as part of the batch
  }
  return results;
}

Result<std::vector<engine::InboxMessage>> FakeHl7Inbox::take(const std::string&, size_t max,
                                                             std::chrono::milliseconds) {
  if (!available) return down();
  std::vector<engine::InboxMessage> out;
  for (const std::string& id : pending) {
    if (out.size() == max) return out;
    for (const auto& m : stored) {
      if (m.id == id) out.push_back(m);
    }
  }
  while (out.size() < max && next_to_take_ < stored.size()) {
    pending.insert(stored[next_to_take_].id);
    out.push_back(stored[next_to_take_++]);
  }
  return out;
}

Result<void> FakeHl7Inbox::finish(const std::string& id) {
  if (!available) return down();
  if (pending.erase(id) == 0) return makeError(ErrorCode::NotFound, "not pending: " + id);
  finished.insert(id);
  return okResult();
}

Result<void> FakeHl7Inbox::reject(const std::string& id, const std::string& reason) {
  if (!available) return down();
  if (pending.erase(id) == 0) return makeError(ErrorCode::NotFound, "not pending: " + id);
  rejected.emplace_back(id, reason);
  return okResult();
}

}  // namespace sundial::testing
