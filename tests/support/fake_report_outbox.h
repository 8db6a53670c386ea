#pragma once
// Fakes for report delivery's seams: an in-memory OutboxStore (same life cycle as
// RedisReportOutbox, one worker at a time) and a ReportTransport that answers from a script.
// For unit tests only.

#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "engine/reports/outbox_store.h"
#include "engine/reports/report_transport.h"

namespace sundial::testing {

class FakeOutboxStore final : public engine::OutboxStore {
 public:
  struct Stored {
    engine::OutboxEntry entry;
    std::string state;  // ready, inflight, waiting, delivered, dead
    UtcTime due{};
  };

  bool available = true;  // false: every call fails Unavailable
  std::map<std::string, Stored> deliveries;
  std::deque<std::string> ready;            // front is taken first
  std::vector<std::string> in_flight;
  std::vector<std::string> dead;            // newest first
  std::vector<std::string> unapplied;      // outcomes the listener has not confirmed, oldest first
  int reclaims = 0;

  Result<void> add(const engine::OutboxEntry& entry) override;
  Result<std::optional<engine::OutboxEntry>> claim(const std::string& site, const std::string&,
                                                   std::chrono::milliseconds) override;
  Result<void> markDelivered(const engine::OutboxEntry& entry, const std::string&) override;
  Result<void> retryLater(const engine::OutboxEntry& entry, const std::string&, UtcTime due,
                          const std::string& reason) override;
  Result<void> deadLetter(const engine::OutboxEntry& entry, const std::string&,
                          const std::string& reason) override;
  Result<int> promoteDueRetries(const std::string& site, UtcTime now) override;
  Result<int> reclaim(const std::string& site, const std::string&) override;
  Result<engine::OutboxDepth> depth(const std::string& site) override;
  Result<std::vector<engine::OutboxDeadLetter>> deadLetters(const std::string& site,
                                                            int limit) override;
  Result<std::string> retryDead(const std::string& delivery_id) override;
  Result<std::vector<engine::OutboxOutcome>> unappliedOutcomes(const std::string& site,
                                                               int limit) override;
  Result<void> outcomeApplied(const std::string& site, const std::string& delivery_id) override;

  const std::string& stateOf(const std::string& id) { return deliveries.at(id).state; }

 private:
  Result<void> down() const;
  void noteUnapplied(const engine::OutboxEntry& entry);
  bool takeInFlight(const std::string& id);
};

// Answers each send with the next scripted result (AA when the script is empty).
class FakeReportTransport final : public engine::ReportTransport {
 public:
  std::deque<Result<engine::SiteAck>> script;
  std::vector<std::string> sent;  // messages, in order
  int connects = 0;               // sends that found no open connection
  int closes = 0;
  std::function<void()> on_send;  // runs inside send(), e.g. to take the store down

  Result<engine::SiteAck> send(std::string_view message) override;
  void close() override;
  bool connected() const override { return open_; }

  static engine::SiteAck accepted() { return {engine::SiteAnswer::Accepted, "AA", ""}; }
  static engine::SiteAck error(std::string text) {
    return {engine::SiteAnswer::Error, "AE", std::move(text)};
  }
  static engine::SiteAck rejected(std::string text) {
    return {engine::SiteAnswer::Rejected, "AR", std::move(text)};
  }

 private:
  bool open_ = false;
};

}  // namespace sundial::testing
