#include "adapters/redis/redis_report_outbox.h"

#include "adapters/redis/key_schema.h"
#include "adapters/redis/outbox_scripts.h"

namespace sundial::adapters::redis {
namespace {

constexpr int kPromoteBatch = 1000;

Result<void> checkName(const std::string& name, std::string_view what) {
  if (isValidKeyName(name)) return okResult();
  return makeError(ErrorCode::InvalidInput,
                   std::string(what) + " '" + name + "' cannot be used in a Redis key");
}

Result<void> checkEntry(const engine::OutboxEntry& entry, const std::string& worker) {
  if (auto ok = checkName(entry.site, "site"); !ok) return ok;
  if (auto ok = checkName(entry.delivery_id, "delivery id"); !ok) return ok;
  return checkName(worker, "worker");
}

std::string context(const engine::OutboxEntry& entry) {
  return "site=" + entry.site + " delivery=" + entry.delivery_id;
}

// BLMOVE's timeout in seconds with millisecond precision ("0.500").
std::string formatSeconds(std::chrono::milliseconds wait) {
  const long long ms = wait.count();
  const std::string fraction = std::to_string(1000 + ms % 1000);  // "1xyz"
  return std::to_string(ms / 1000) + "." + fraction.substr(1);
}

std::string nowMs(const Clock& clock) { return std::to_string(toEpochMs(clock.utcNow())); }

}  // namespace

RedisReportOutbox::RedisReportOutbox(RedisClientOptions client, std::string_view key_prefix,
                                     const Clock& clock, std::chrono::seconds delivered_retention)
    : client_(std::move(client)),
      keys_(key_prefix),
      clock_(clock),
      delivered_retention_(delivered_retention) {}

Result<void> RedisReportOutbox::add(const engine::OutboxEntry& entry) {
  if (auto ok = checkName(entry.site, "site"); !ok) return ok;
  if (auto ok = checkName(entry.delivery_id, "delivery id"); !ok) return ok;
  auto reply = client_.eval(
      outbox_scripts::kAdd,
      {{keys_.delivery(entry.delivery_id), keys_.ready(entry.site)},
       {entry.delivery_id, entry.task_id, entry.site, entry.message,
        std::to_string(toEpochMs(entry.queued_at == UtcTime{} ? clock_.utcNow() : entry.queued_at)),
        entry.accession_number, entry.patient_id}});
  if (!reply) return reply.error();
  if (reply.value().asInteger() == 0) {
    return makeError(ErrorCode::Duplicate, "delivery id already used", context(entry));
  }
  return okResult();
}

Result<std::optional<engine::OutboxEntry>> RedisReportOutbox::runClaim(const std::string& site,
                                                                       const std::string& worker,
                                                                       const std::string& moved) {
  ScriptCall call;
  call.keys = {keys_.ready(site), keys_.inFlight(site, worker), keys_.workers(site)};
  call.args = {worker, keys_.deliveryPrefix(), nowMs(clock_)};
  if (!moved.empty()) call.args.push_back(moved);
  auto reply = client_.eval(outbox_scripts::kClaim, call);
  if (!reply) return reply.error();
  const auto& row = reply.value().elements;
  if (reply.value().isNil() || row.size() < 9) return std::optional<engine::OutboxEntry>{};
  engine::OutboxEntry entry;
  entry.delivery_id = row[0].str;
  entry.task_id = row[1].str;
  entry.site = row[2].str;
  entry.message = row[3].str;
  entry.attempts = static_cast<int>(row[4].asInteger());
  entry.last_error = row[5].str;
  entry.queued_at = fromEpochMs(row[6].asInteger());
  entry.accession_number = row[7].str;
  entry.patient_id = row[8].str;
  return std::optional<engine::OutboxEntry>(std::move(entry));
}

Result<std::optional<engine::OutboxEntry>> RedisReportOutbox::claim(
    const std::string& site, const std::string& worker, std::chrono::milliseconds wait) {
  if (auto ok = checkName(site, "site"); !ok) return ok.error();
  if (auto ok = checkName(worker, "worker"); !ok) return ok.error();
  auto claimed = runClaim(site, worker, {});
  if (!claimed || claimed.value() || wait <= std::chrono::milliseconds::zero()) return claimed;

  // Nothing ready: block in Redis for the next one, then claim it in the script.
  auto moved = client_.blockingCommand({"BLMOVE", keys_.ready(site), keys_.inFlight(site, worker),
                                        "RIGHT", "LEFT", formatSeconds(wait)},
                                       wait);
  if (!moved) return moved.error();
  if (moved.value().isNil()) return std::optional<engine::OutboxEntry>{};
  return runClaim(site, worker, moved.value().str);
}

Result<void> RedisReportOutbox::markDelivered(const engine::OutboxEntry& entry,
                                              const std::string& worker) {
  if (auto ok = checkEntry(entry, worker); !ok) return ok;
  auto reply = client_.eval(
      outbox_scripts::kDelivered,
      {{keys_.inFlight(entry.site, worker), keys_.delivery(entry.delivery_id), keys_.ready(entry.site),
        keys_.retry(entry.site), keys_.unapplied(entry.site)},
       {entry.delivery_id, nowMs(clock_), std::to_string(delivered_retention_.count())}});
  if (!reply) return reply.error();
  if (reply.value().asInteger() < 0) {
    return makeError(ErrorCode::NotFound, "delivered an unknown delivery", context(entry));
  }
  return okResult();
}

Result<void> RedisReportOutbox::retryLater(const engine::OutboxEntry& entry,
                                           const std::string& worker, UtcTime due,
                                           const std::string& reason) {
  if (auto ok = checkEntry(entry, worker); !ok) return ok;
  auto reply = client_.eval(
      outbox_scripts::kRetryLater,
      {{keys_.inFlight(entry.site, worker), keys_.retry(entry.site), keys_.delivery(entry.delivery_id)},
       {entry.delivery_id, std::to_string(toEpochMs(due)), reason, nowMs(clock_)}});
  if (!reply) return reply.error();
  if (reply.value().asInteger() == 0) {
    return makeError(ErrorCode::NotFound, "delivery is not in flight for worker " + worker,
                     context(entry));
  }
  return okResult();
}

Result<void> RedisReportOutbox::deadLetter(const engine::OutboxEntry& entry,
                                           const std::string& worker, const std::string& reason) {
  if (auto ok = checkEntry(entry, worker); !ok) return ok;
  auto reply = client_.eval(
      outbox_scripts::kDeadLetter,
      {{keys_.inFlight(entry.site, worker), keys_.dead(entry.site), keys_.delivery(entry.delivery_id),
        keys_.unapplied(entry.site)},
       {entry.delivery_id, reason, nowMs(clock_)}});
  if (!reply) return reply.error();
  if (reply.value().asInteger() == 0) {
    return makeError(ErrorCode::NotFound, "delivery is not in flight for worker " + worker,
                     context(entry));
  }
  return okResult();
}

Result<int> RedisReportOutbox::promoteDueRetries(const std::string& site, UtcTime now) {
  if (auto ok = checkName(site, "site"); !ok) return ok.error();
  const ScriptCall call{{keys_.retry(site), keys_.ready(site)},
                        {std::to_string(toEpochMs(now)), std::to_string(kPromoteBatch),
                         keys_.deliveryPrefix()}};
  int moved = 0;
  while (true) {
    auto reply = client_.eval(outbox_scripts::kPromoteDue, call);
    if (!reply) return reply.error();
    const auto count = static_cast<int>(reply.value().asInteger());
    moved += count;
    if (count < kPromoteBatch) return moved;
  }
}

Result<int> RedisReportOutbox::reclaim(const std::string& site, const std::string& worker) {
  if (auto ok = checkName(site, "site"); !ok) return ok.error();
  if (auto ok = checkName(worker, "worker"); !ok) return ok.error();
  auto reply = client_.eval(
      outbox_scripts::kReclaim,
      {{keys_.inFlight(site, worker), keys_.ready(site), keys_.workers(site)},
       {worker, keys_.deliveryPrefix()}});
  if (!reply) return reply.error();
  return static_cast<int>(reply.value().asInteger());
}

Result<engine::OutboxDepth> RedisReportOutbox::depth(const std::string& site) {
  if (auto ok = checkName(site, "site"); !ok) return ok.error();
  auto reply = client_.eval(
      outbox_scripts::kDepth,
      {{keys_.ready(site), keys_.retry(site), keys_.dead(site), keys_.workers(site)},
       {keys_.inFlightPrefix(site)}});
  if (!reply) return reply.error();
  const auto& counts = reply.value().elements;
  if (counts.size() != 4) {
    return makeError(ErrorCode::Internal, "unexpected outbox depth reply", "site=" + site);
  }
  return engine::OutboxDepth{counts[0].asInteger(), counts[1].asInteger(), counts[2].asInteger(),
                             counts[3].asInteger()};
}

Result<std::vector<engine::OutboxDeadLetter>> RedisReportOutbox::deadLetters(
    const std::string& site, int limit) {
  if (auto ok = checkName(site, "site"); !ok) return ok.error();
  if (limit <= 0) return std::vector<engine::OutboxDeadLetter>{};
  auto reply = client_.eval(outbox_scripts::kDeadLetters,
                            {{keys_.dead(site)}, {std::to_string(limit), keys_.deliveryPrefix()}});
  if (!reply) return reply.error();
  std::vector<engine::OutboxDeadLetter> letters;
  for (const Reply& row : reply.value().elements) {
    if (row.elements.size() < 6) continue;
    engine::OutboxDeadLetter letter;
    letter.delivery_id = row.elements[0].str;
    letter.task_id = row.elements[1].str;
    letter.site = row.elements[2].str;
    letter.reason = row.elements[3].str;
    letter.attempts = static_cast<int>(row.elements[4].asInteger());
    letter.at = fromEpochMs(row.elements[5].asInteger());
    letters.push_back(std::move(letter));
  }
  return letters;
}

Result<std::string> RedisReportOutbox::retryDead(const std::string& delivery_id) {
  if (!isValidKeyName(delivery_id)) {
    return makeError(ErrorCode::NotFound, "no dead delivery '" + delivery_id + "'");
  }
  auto site_reply = client_.command({"HGET", keys_.delivery(delivery_id), "site"});
  if (!site_reply) return site_reply.error();
  const std::string site = site_reply.value().str;
  if (site_reply.value().isNil() || !isValidKeyName(site)) {
    return makeError(ErrorCode::NotFound, "no delivery '" + delivery_id + "'");
  }
  auto reply = client_.eval(outbox_scripts::kRetryDead,
                            {{keys_.delivery(delivery_id), keys_.dead(site), keys_.ready(site)},
                             {delivery_id, nowMs(clock_), site}});
  if (!reply) return reply.error();
  const long long outcome = reply.value().asInteger();
  if (outcome < 0) return makeError(ErrorCode::NotFound, "no delivery '" + delivery_id + "'");
  if (outcome == 0) {
    return makeError(ErrorCode::NotFound, "delivery '" + delivery_id + "' is not dead-lettered");
  }
  return site;
}

Result<std::vector<engine::OutboxOutcome>> RedisReportOutbox::unappliedOutcomes(
    const std::string& site, int limit) {
  if (auto ok = checkName(site, "site"); !ok) return ok.error();
  if (limit <= 0) return std::vector<engine::OutboxOutcome>{};
  auto reply = client_.eval(outbox_scripts::kUnappliedOutcomes,
                            {{keys_.unapplied(site)}, {std::to_string(limit), keys_.deliveryPrefix()}});
  if (!reply) return reply.error();
  std::vector<engine::OutboxOutcome> outcomes;
  for (const Reply& row : reply.value().elements) {
    if (row.elements.size() < 5) continue;
    const std::string& state = row.elements[3].str;
    // Sent again by a person and not yet answered: its new outcome will be applied instead.
    if (state != "delivered" && state != "dead") continue;
    engine::OutboxOutcome outcome;
    outcome.delivery_id = row.elements[0].str;
    outcome.task_id = row.elements[1].str;
    outcome.site = row.elements[2].str;
    outcome.delivered = state == "delivered";
    outcome.reason = row.elements[4].str;
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

Result<void> RedisReportOutbox::outcomeApplied(const std::string& site,
                                               const std::string& delivery_id) {
  if (auto ok = checkName(site, "site"); !ok) return ok;
  auto reply = client_.command({"ZREM", keys_.unapplied(site), delivery_id});
  if (!reply) return reply.error();
  return okResult();
}

}  // namespace sundial::adapters::redis
