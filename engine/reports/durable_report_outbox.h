#pragma once
// DurableReportOutbox: the ReportOutbox the node offers (to the worklist, to the API). It
// builds the ORU^R01 for the report's site (through the injected builder, so the engine
// needs no HL7 code), gives it a fresh delivery id (also its MSH-10) and stores it in the
// OutboxStore before returning. The senders (ReportSender) drain the store.
//
// Thread-safe: enqueue() and the read/admin calls may come from any thread; the one store
// connection is used under mutex_.

#include <functional>
#include <memory>
#include <mutex>
#include <random>

#include "engine/audit/audit_sink.h"
#include "engine/config/config.h"
#include "engine/domain/clock.h"
#include "engine/metrics/metrics.h"
#include "engine/reports/outbox_store.h"
#include "engine/reports/report_outbox.h"

namespace sundial::engine {

// Builds the message text for `site` with `control_id` as MSH-10 at time `now`.
using ReportMessageBuilder = std::function<Result<std::string>(
    const Report& report, const config::SiteConfig& site, const std::string& control_id,
    UtcTime now)>;

class DurableReportOutbox final : public ReportOutbox {
 public:
  // `audit` records report.queued and report.retried; it must outlive the outbox.
  DurableReportOutbox(std::shared_ptr<const config::Config> config, std::unique_ptr<OutboxStore> store,
                      ReportMessageBuilder builder, const Clock& clock, Metrics& metrics,
                      AuditSink& audit, std::uint64_t seed);

  // NotFound for an unknown site, Rejected when the site has no report endpoint (sites[].reports),
  // InvalidInput when the report cannot make a message (see hl7/mapping/report_message.h),
  // Unavailable when Redis is down. Nothing is queued on failure.
  Result<std::string> enqueue(const Report& report, const std::string& task_id) override;
  // The same, recorded on the audit trail as done by `actor` (an API user) rather than the
  // engine.
  Result<std::string> enqueueAs(const Report& report, const std::string& task_id,
                                const std::string& actor);

  // For the API (GET /api/v1/reports/outbox, POST .../dead/{id}/retry).
  Result<OutboxDepth> depth(const std::string& site);
  Result<std::vector<OutboxDeadLetter>> deadLetters(const std::string& site, int limit);
  Result<std::string> retryDead(const std::string& delivery_id, const std::string& actor);

  // Sites that have a report endpoint, in configuration order.
  std::vector<const config::SiteConfig*> reportingSites() const;

 private:
  std::string newDeliveryId();

  std::shared_ptr<const config::Config> config_;
  ReportMessageBuilder builder_;
  const Clock& clock_;
  AuditSink& audit_;
  Counter& queued_;
  std::mutex mutex_;  // guards store_ (one Redis connection) and random_
  std::unique_ptr<OutboxStore> store_;
  std::mt19937_64 random_;
};

}  // namespace sundial::engine
