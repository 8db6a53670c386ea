#include "tests/support/scripted_hl7_inbox.h"

#include <algorithm>

namespace sundial::testing {
namespace {

Error down() { return makeError(ErrorCode::Unavailable, "scripted inbox is down"); }

}  // namespace

Result<engine::InboxStoreResult> ScriptedHl7Inbox::store(engine::InboxMessage& message) {
  if (!available) return down();
  for (const auto& m : stored) {
    if (m.sender == message.sender && m.control_id == message.control_id) {
      return engine::InboxStoreResult::Duplicate;
    }
  }
  char id[32];
  std::snprintf(id, sizeof id, "%010zu-0", stored.size() + 1);
  message.id = id;
  stored.push_back(message);
  return engine::InboxStoreResult::Stored;
}

std::string ScriptedHl7Inbox::add(const std::string& site, const std::string& message_type,
                              const std::string& raw) {
  engine::InboxMessage m;
  m.site = site;
  m.sender = "RIS|" + site;
  m.control_id = "C" + std::to_string(stored.size() + 1);
  m.message_type = message_type;
  m.received_at = fromEpochMs(1'800'000'000'000);
  m.raw = raw;
  bool was_available = available;
  available = true;
  (void)store(m);  // cannot fail while available
  available = was_available;
  return m.id;
}

Result<std::vector<engine::InboxMessage>> ScriptedHl7Inbox::take(const std::string& consumer,
                                                             size_t max,
                                                             std::chrono::milliseconds) {
  if (!available) return down();
  std::vector<engine::InboxMessage> out;
  for (const auto& m : stored) {
    if (out.size() >= max) return out;
    auto it = taken.find(m.id);
    if (it != taken.end() && it->second == consumer) out.push_back(m);
  }
  while (next_new < stored.size() && out.size() < max) {
    const auto& m = stored[next_new++];
    taken[m.id] = consumer;
    out.push_back(m);
  }
  return out;
}

Result<void> ScriptedHl7Inbox::finish(const std::string& id) {
  if (!available) return down();
  taken.erase(id);
  finished.push_back(id);
  return okResult();
}

Result<void> ScriptedHl7Inbox::reject(const std::string& id, const std::string& reason) {
  if (!available) return down();
  taken.erase(id);
  rejected[id] = reason;
  return okResult();
}

}  // namespace sundial::testing
