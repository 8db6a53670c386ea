#include "tests/support/fake_report_outbox.h"

#include <algorithm>

namespace sundial::testing {

Result<void> FakeOutboxStore::down() const {
  if (available) return okResult();
  return makeError(ErrorCode::Unavailable, "fake outbox is down");
}

void FakeOutboxStore::noteUnapplied(const engine::OutboxEntry& entry) {
  if (entry.task_id.empty()) return;
  if (std::find(unapplied.begin(), unapplied.end(), entry.delivery_id) != unapplied.end()) return;
  unapplied.push_back(entry.delivery_id);
}

Result<std::vector<engine::OutboxOutcome>> FakeOutboxStore::unappliedOutcomes(
    const std::string& site, int limit) {
  if (auto ok = down(); !ok) return ok.error();
  std::vector<engine::OutboxOutcome> out;
  for (const auto& id : unapplied) {
    if (static_cast<int>(out.size()) >= limit) break;
    const Stored& stored = deliveries.at(id);
    if (stored.entry.site != site) continue;
    if (stored.state != "delivered" && stored.state != "dead") continue;
    out.push_back({id, stored.entry.task_id, site, stored.state == "delivered",
                   stored.entry.last_error});
  }
  return out;
}

Result<void> FakeOutboxStore::outcomeApplied(const std::string&, const std::string& delivery_id) {
  if (auto ok = down(); !ok) return ok;
  unapplied.erase(std::remove(unapplied.begin(), unapplied.end(), delivery_id), unapplied.end());
  return okResult();
}

bool FakeOutboxStore::takeInFlight(const std::string& id) {
  auto it = std::find(in_flight.begin(), in_flight.end(), id);
  if (it == in_flight.end()) return false;
  in_flight.erase(it);
  return true;
}

Result<void> FakeOutboxStore::add(const engine::OutboxEntry& entry) {
  if (auto ok = down(); !ok) return ok;
  if (deliveries.count(entry.delivery_id)) return makeError(ErrorCode::Duplicate, "taken");
  deliveries[entry.delivery_id] = {entry, "ready", {}};
  ready.push_back(entry.delivery_id);
  return okResult();
}

Result<std::optional<engine::OutboxEntry>> FakeOutboxStore::claim(const std::string& site,
                                                                  const std::string&,
                                                                  std::chrono::milliseconds) {
  if (auto ok = down(); !ok) return ok.error();
  for (auto it = ready.begin(); it != ready.end(); ++it) {
    Stored& stored = deliveries.at(*it);
    if (stored.entry.site != site) continue;
    stored.state = "inflight";
    in_flight.push_back(*it);
    ready.erase(it);
    return std::optional<engine::OutboxEntry>(stored.entry);
  }
  return std::optional<engine::OutboxEntry>{};
}

Result<void> FakeOutboxStore::markDelivered(const engine::OutboxEntry& entry, const std::string&) {
  if (auto ok = down(); !ok) return ok;
  auto it = deliveries.find(entry.delivery_id);
  if (it == deliveries.end()) return makeError(ErrorCode::NotFound, "unknown");
  takeInFlight(entry.delivery_id);
  if (it->second.state == "delivered") return okResult();
  it->second.state = "delivered";
  noteUnapplied(it->second.entry);
  return okResult();
}

Result<void> FakeOutboxStore::retryLater(const engine::OutboxEntry& entry, const std::string&,
                                         UtcTime due, const std::string& reason) {
  if (auto ok = down(); !ok) return ok;
  if (!takeInFlight(entry.delivery_id)) return makeError(ErrorCode::NotFound, "not in flight");
  Stored& stored = deliveries.at(entry.delivery_id);
  stored.state = "waiting";
  stored.due = due;
  stored.entry.attempts += 1;
  stored.entry.last_error = reason;
  return okResult();
}

Result<void> FakeOutboxStore::deadLetter(const engine::OutboxEntry& entry, const std::string&,
                                         const std::string& reason) {
  if (auto ok = down(); !ok) return ok;
  if (!takeInFlight(entry.delivery_id)) return makeError(ErrorCode::NotFound, "not in flight");
  Stored& stored = deliveries.at(entry.delivery_id);
  stored.state = "dead";
  stored.entry.attempts += 1;
  stored.entry.last_error = reason;
  dead.insert(dead.begin(), entry.delivery_id);
  noteUnapplied(stored.entry);
  return okResult();
}

Result<int> FakeOutboxStore::promoteDueRetries(const std::string& site, UtcTime now) {
  if (auto ok = down(); !ok) return ok.error();
  int moved = 0;
  for (auto& [id, stored] : deliveries) {
    if (stored.entry.site == site && stored.state == "waiting" && stored.due <= now) {
      stored.state = "ready";
      ready.push_front(id);
      ++moved;
    }
  }
  return moved;
}

Result<int> FakeOutboxStore::reclaim(const std::string& site, const std::string&) {
  if (auto ok = down(); !ok) return ok.error();
  ++reclaims;
  // Newest claim first to the front, so that the oldest claim is taken first (as in Redis).
  int moved = 0;
  std::vector<std::string> kept;
  for (auto it = in_flight.rbegin(); it != in_flight.rend(); ++it) {
    Stored& stored = deliveries.at(*it);
    if (stored.entry.site != site) {
      kept.insert(kept.begin(), *it);
      continue;
    }
    stored.state = "ready";
    ready.push_front(*it);
    ++moved;
  }
  in_flight = std::move(kept);
  return moved;
}

Result<engine::OutboxDepth> FakeOutboxStore::depth(const std::string& site) {
  if (auto ok = down(); !ok) return ok.error();
  engine::OutboxDepth depth;
  for (const auto& [id, stored] : deliveries) {
    if (stored.entry.site != site) continue;
    if (stored.state == "ready") ++depth.ready;
    if (stored.state == "inflight") ++depth.in_flight;
    if (stored.state == "waiting") ++depth.waiting;
    if (stored.state == "dead") ++depth.dead;
  }
  return depth;
}

Result<std::vector<engine::OutboxDeadLetter>> FakeOutboxStore::deadLetters(const std::string& site,
                                                                           int limit) {
  if (auto ok = down(); !ok) return ok.error();
  std::vector<engine::OutboxDeadLetter> letters;
  for (const std::string& id : dead) {
    const Stored& stored = deliveries.at(id);
    if (stored.entry.site != site || static_cast<int>(letters.size()) >= limit) continue;
    letters.push_back({id, stored.entry.task_id, site, stored.entry.last_error,
                       stored.entry.attempts, {}});
  }
  return letters;
}

Result<std::string> FakeOutboxStore::retryDead(const std::string& delivery_id) {
  if (auto ok = down(); !ok) return ok.error();
  auto it = deliveries.find(delivery_id);
  if (it == deliveries.end() || it->second.state != "dead") {
    return makeError(ErrorCode::NotFound, "not dead");
  }
  dead.erase(std::find(dead.begin(), dead.end(), delivery_id));
  it->second.state = "ready";
  it->second.entry.attempts = 0;
  ready.push_front(delivery_id);
  return it->second.entry.site;
}

Result<engine::SiteAck> FakeReportTransport::send(std::string_view message) {
  if (!open_) ++connects;
  open_ = true;
  sent.emplace_back(message);
  if (on_send) on_send();
  if (script.empty()) return accepted();
  Result<engine::SiteAck> answer = std::move(script.front());
  script.pop_front();
  if (!answer) open_ = false;  // like the MLLP client: any error drops the connection
  return answer;
}

void FakeReportTransport::close() {
  if (open_) ++closes;
  open_ = false;
}

}  // namespace sundial::testing
