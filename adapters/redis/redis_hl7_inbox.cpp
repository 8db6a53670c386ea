#include "adapters/redis/redis_hl7_inbox.h"

#include <charconv>

#include "adapters/redis/key_schema.h"
#include "adapters/redis/redis_hl7_scripts.h"
#include "engine/domain/log.h"

namespace sundial::adapters::redis {
namespace {

using engine::InboxMessage;
using engine::InboxStoreResult;

std::string toText(long long value) { return std::to_string(value); }

// Stream ids are "<ms>-<seq>": anything else must not reach a command.
bool isStreamId(std::string_view id) {
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == id.size()) return false;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i != dash && (id[i] < '0' || id[i] > '9')) return false;
  }
  return true;
}

Result<void> checkId(const std::string& id) {
  if (isStreamId(id)) return okResult();
  return makeError(ErrorCode::InvalidInput, "not an HL7 inbox id: '" + id.substr(0, 40) + "'");
}

Result<void> checkStorable(const InboxMessage& message) {
  if (message.site.empty()) {
    return makeError(ErrorCode::InvalidInput, "an HL7 message is stored only with its site");
  }
  if (message.control_id.empty()) {
    return makeError(ErrorCode::InvalidInput,
                     "an HL7 message is stored only with its control id (MSH-10)",
                     "site=" + message.site);
  }
  return okResult();
}

long long parseMs(const std::string& text) {
  long long ms = 0;
  std::from_chars(text.data(), text.data() + text.size(), ms);
  return ms;
}

// The fields of a stream entry into a message (unknown fields ignored).
void readFields(const Reply& fields, InboxMessage& message, std::string* reason = nullptr,
                long long* rejected_ms = nullptr) {
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    const std::string& name = fields.elements[i].str;
    const std::string& value = fields.elements[i + 1].str;
    if (name == "site") message.site = value;
    else if (name == "sender") message.sender = value;
    else if (name == "control_id") message.control_id = value;
    else if (name == "type") message.message_type = value;
    else if (name == "received_ms") message.received_at = fromEpochMs(parseMs(value));
    else if (name == "raw") message.raw = value;
    else if (name == "inbox_id") message.id = value;
    else if (name == "reason" && reason) *reason = value;
    else if (name == "rejected_ms" && rejected_ms) *rejected_ms = parseMs(value);
  }
}

bool isNoGroup(const Error& error) { return error.message.find("NOGROUP") != std::string::npos; }

std::string blockArgument(std::chrono::milliseconds wait) { return toText(wait.count()); }

}  // namespace

RedisHl7Inbox::RedisHl7Inbox(RedisClientOptions client, std::string_view key_prefix,
                             const Clock& clock, Hl7InboxOptions options)
    : client_(std::move(client)), keys_(key_prefix), clock_(clock), options_(options) {}

Result<InboxStoreResult> RedisHl7Inbox::store(InboxMessage& message) {
  auto results = storeBatch({&message});
  if (!results) return results.error();
  return std::move(results.value().front());
}

Result<std::vector<Result<InboxStoreResult>>> RedisHl7Inbox::storeBatch(
    std::vector<InboxMessage*> messages) {
  std::vector<Result<InboxStoreResult>> results;
  results.reserve(messages.size());
  std::vector<ScriptCall> calls;
  std::vector<std::size_t> call_of;  // index into `messages` of each call
  calls.reserve(messages.size());
  const std::string window = toText(options_.duplicate_window.count());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const InboxMessage& m = *messages[i];
    if (auto ok = checkStorable(m); !ok) {
      results.push_back(ok.error());
      continue;
    }
    results.push_back(makeError(ErrorCode::Internal, "not stored"));  // replaced below
    call_of.push_back(i);
    calls.push_back(ScriptCall{
        {keys_.seen(m.site, m.sender, m.control_id), keys_.inbox()},
        {window, std::string(Hl7KeySchema::kInboxGroup), m.site, m.sender, m.control_id,
         m.message_type, toText(toEpochMs(m.received_at)), m.raw}});
  }
  if (calls.empty()) return results;
  auto replies = client_.evalPipeline(hl7_scripts::kStoreMessage, calls);
  if (!replies) return replies.error();
  for (std::size_t k = 0; k < calls.size(); ++k) {
    const Reply& reply = replies.value()[k];
    InboxMessage& message = *messages[call_of[k]];
    Result<InboxStoreResult>& result = results[call_of[k]];
    if (reply.isError() || reply.elements.size() != 2) {
      // Whatever Redis refused (out of memory, a read-only replica, a failed disk), nothing
      // was stored and a later try may succeed: the sender must retry.
      result = makeError(ErrorCode::Unavailable,
                         "Redis refused to store the HL7 message: " +
                             (reply.isError() ? reply.str : std::string("unexpected reply")),
                         "site=" + message.site);
      continue;
    }
    message.id = reply.elements[1].str;
    result = reply.elements[0].asInteger() == hl7_scripts::kStoredNew ? InboxStoreResult::Stored
                                                                       : InboxStoreResult::Duplicate;
  }
  return results;
}

Result<void> RedisHl7Inbox::createGroup() {
  auto created = client_.command({"XGROUP", "CREATE", keys_.inbox(),
                                  std::string(Hl7KeySchema::kInboxGroup), "0", "MKSTREAM"});
  if (created || created.error().message.find("BUSYGROUP") != std::string::npos) {
    return okResult();
  }
  return created.error();
}

Result<std::vector<InboxMessage>> RedisHl7Inbox::readGroup(const std::vector<std::string>& command,
                                                           std::chrono::milliseconds block) {
  auto read = [&] {
    return block.count() > 0 ? client_.blockingCommand(command, block) : client_.command(command);
  };
  auto reply = read();
  if (!reply && isNoGroup(reply.error())) {
    // Nothing was ever stored (or the stream was removed by hand): make the group and read.
    if (auto created = createGroup(); !created) return created.error();
    reply = read();
  }
  if (!reply) return reply.error();
  std::vector<InboxMessage> messages;
  if (reply.value().isNil()) return messages;
  std::vector<std::string> gone;  // pending entries deleted meanwhile: nothing left to take
  for (const Reply& stream : reply.value().elements) {
    if (stream.elements.size() != 2) continue;
    for (const Reply& entry : stream.elements[1].elements) {
      if (entry.elements.size() != 2) continue;
      if (entry.elements[1].isNil()) {
        gone.push_back(entry.elements[0].str);
        continue;
      }
      InboxMessage message;
      message.id = entry.elements[0].str;
      readFields(entry.elements[1], message);
      messages.push_back(std::move(message));
    }
  }
  for (const std::string& id : gone) {
    if (auto acked = client_.command({"XACK", keys_.inbox(),
                                      std::string(Hl7KeySchema::kInboxGroup), id});
        !acked) {
      return acked.error();
    }
  }
  return messages;
}

Result<std::vector<InboxMessage>> RedisHl7Inbox::claimIdle(const std::string& consumer,
                                                           size_t max) {
  auto reply = client_.command({"XAUTOCLAIM", keys_.inbox(), std::string(Hl7KeySchema::kInboxGroup),
                                consumer, toText(options_.claim_idle_after.count()), "0-0",
                                "COUNT", toText(static_cast<long long>(max))});
  if (!reply) {
    if (isNoGroup(reply.error())) return std::vector<InboxMessage>{};
    return reply.error();
  }
  std::vector<InboxMessage> messages;
  if (reply.value().elements.size() < 2) return messages;
  for (const Reply& entry : reply.value().elements[1].elements) {
    if (entry.elements.size() != 2 || entry.elements[1].isNil()) continue;
    InboxMessage message;
    message.id = entry.elements[0].str;
    readFields(entry.elements[1], message);
    messages.push_back(std::move(message));
  }
  if (!messages.empty()) {
    log::warn("hl7_inbox_claimed_idle", {{"consumer", consumer},
                                         {"messages", std::to_string(messages.size())}});
  }
  return messages;
}

Result<std::vector<InboxMessage>> RedisHl7Inbox::take(const std::string& consumer, size_t max,
                                                      std::chrono::milliseconds wait) {
  if (!isValidKeyName(consumer)) {
    return makeError(ErrorCode::InvalidInput,
                     "HL7 inbox consumer name '" + consumer + "' is not usable in Redis");
  }
  if (max == 0) return std::vector<InboxMessage>{};
  const std::string group(Hl7KeySchema::kInboxGroup);
  const std::string count = toText(static_cast<long long>(max));
  // First what this consumer took before and did not finish (it restarted).
  auto pending = readGroup(
      {"XREADGROUP", "GROUP", group, consumer, "COUNT", count, "STREAMS", keys_.inbox(), "0"},
      std::chrono::milliseconds::zero());
  if (!pending || !pending.value().empty()) return pending;
  // Then what a consumer that went away left behind.
  auto claimed = claimIdle(consumer, max);
  if (!claimed || !claimed.value().empty()) return claimed;
  // Then new messages, waiting for the first.
  std::vector<std::string> command = {"XREADGROUP", "GROUP", group, consumer, "COUNT", count};
  if (wait.count() > 0) {
    command.push_back("BLOCK");
    command.push_back(blockArgument(wait));
  }
  command.insert(command.end(), {"STREAMS", keys_.inbox(), ">"});
  return readGroup(command, wait);
}

Result<void> RedisHl7Inbox::finish(const std::string& id) {
  if (auto ok = checkId(id); !ok) return ok;
  auto reply = client_.eval(hl7_scripts::kFinishMessage,
                            {{keys_.inbox()}, {std::string(Hl7KeySchema::kInboxGroup), id}});
  if (!reply) return reply.error();
  if (reply.value().asInteger() == 0) {
    return makeError(ErrorCode::NotFound, "HL7 inbox message is not pending", "id=" + id);
  }
  return okResult();
}

Result<void> RedisHl7Inbox::reject(const std::string& id, const std::string& reason) {
  if (auto ok = checkId(id); !ok) return ok;
  auto reply = client_.eval(
      hl7_scripts::kRejectMessage,
      {{keys_.inbox(), keys_.rejected()},
       {std::string(Hl7KeySchema::kInboxGroup), id, reason, toText(toEpochMs(clock_.utcNow())),
        toText(options_.rejected_kept)}});
  if (!reply) return reply.error();
  if (reply.value().asInteger() == 0) {
    return makeError(ErrorCode::NotFound, "HL7 inbox message not found", "id=" + id);
  }
  return okResult();
}

Result<std::vector<RejectedHl7Message>> RedisHl7Inbox::rejected(size_t limit) {
  std::vector<RejectedHl7Message> out;
  if (limit == 0) return out;
  auto reply = client_.command({"XREVRANGE", keys_.rejected(), "+", "-", "COUNT",
                                toText(static_cast<long long>(limit))});
  if (!reply) return reply.error();
  for (const Reply& entry : reply.value().elements) {
    if (entry.elements.size() != 2) continue;
    RejectedHl7Message rejected;
    long long ms = 0;
    readFields(entry.elements[1], rejected.message, &rejected.reason, &ms);
    rejected.rejected_at = fromEpochMs(ms);
    out.push_back(std::move(rejected));
  }
  return out;
}

Result<long long> RedisHl7Inbox::depth() {
  auto reply = client_.command({"XLEN", keys_.inbox()});
  if (!reply) return reply.error();
  return reply.value().asInteger();
}

Result<std::string> RedisHl7Inbox::appendfsyncPolicy() {
  auto aof = client_.command({"CONFIG", "GET", "appendonly"});
  if (!aof) return aof.error();
  if (aof.value().elements.size() == 2 && aof.value().elements[1].str == "no") {
    return std::string("no-aof");
  }
  auto reply = client_.command({"CONFIG", "GET", "appendfsync"});
  if (!reply) return reply.error();
  if (reply.value().elements.size() != 2) return std::string("unknown");
  return reply.value().elements[1].str;
}

}  // namespace sundial::adapters::redis
