#include "engine/reports/report_sender.h"

#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::engine {
namespace {

constexpr std::chrono::milliseconds kRetryPromotionInterval{250};
constexpr std::chrono::milliseconds kStoreDownPause{500};
constexpr int kOutcomesPerOffer = 50;

std::string describeAck(const SiteAck& ack) {
  if (ack.error_text.empty()) return ack.code + " without a reason";
  return ack.code + ": " + ack.error_text;
}

}  // namespace

ReportSender::ReportSender(ReportSenderOptions options, std::unique_ptr<OutboxStore> store,
                           std::unique_ptr<ReportTransport> transport, RetryPolicy retry,
                           const DeliveryNotifier& notifier, const Clock& clock, Metrics& metrics)
    : options_(std::move(options)),
      store_(std::move(store)),
      transport_(std::move(transport)),
      retry_(std::move(retry)),
      notifier_(notifier),
      clock_(clock),
      sent_(metrics.counter("sundial_reports_sent_total", "Report messages sent to a site (each try)",
                            {{"site", options_.site}})),
      delivered_(metrics.counter("sundial_reports_delivered_total",
                                 "Reports the site acknowledged (AA/CA)", {{"site", options_.site}})),
      failed_(metrics.counter("sundial_reports_failed_total",
                              "Failed tries: AE/AR, no answer, not reachable",
                              {{"site", options_.site}})),
      dead_(metrics.counter("sundial_reports_dead_letters_total", "Reports given up and dead-lettered",
                            {{"site", options_.site}})) {}

ReportSender::~ReportSender() { stop(); }

void ReportSender::start() {
  stopping_ = false;
  thread_ = std::thread([this] {
    nameThisThread("report-sender");
    run();
  });
}

void ReportSender::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ReportSender::run() {
  while (!stopping_) {
    if (step() == ReportStep::StoreDown) std::this_thread::sleep_for(kStoreDownPause);
  }
  transport_->close();
}

// Reclaims what this worker held before a restart, records an outcome left unrecorded and
// moves due retries to ready.
Result<void> ReportSender::prepare() {
  if (!reclaimed_) {
    auto reclaimed = store_->reclaim(options_.site, options_.worker_id);
    if (!reclaimed) return reclaimed.error();
    reclaimed_ = true;
    if (reclaimed.value() > 0) {
      log::info("report_deliveries_reclaimed", {{"site", options_.site},
                                                {"worker", options_.worker_id},
                                                {"deliveries", std::to_string(reclaimed.value())}});
    }
  }
  if (unrecorded_) {
    if (!record(*unrecorded_)) {
      return makeError(ErrorCode::Unavailable, "an outcome could not be recorded yet");
    }
    unrecorded_.reset();
  }
  const SteadyTime now = clock_.steadyNow();
  if (now - last_promotion_ >= kRetryPromotionInterval) {
    auto promoted = store_->promoteDueRetries(options_.site, clock_.utcNow());
    if (!promoted) return promoted.error();
    last_promotion_ = now;
  }
  if (!last_outcome_offer_ || now - *last_outcome_offer_ >= options_.outcome_retry_interval) {
    if (auto offered = offerUnappliedOutcomes(); !offered) return offered;
    last_outcome_offer_ = now;
  }
  return okResult();
}

// Outcomes recorded but never taken: the listener could not (its store down), or the node
// stopped between recording and telling.
Result<void> ReportSender::offerUnappliedOutcomes() {
  auto pending = store_->unappliedOutcomes(options_.site, kOutcomesPerOffer);
  if (!pending) return pending.error();
  for (const OutboxOutcome& outcome : pending.value()) {
    log::info("report_outcome_offered_again", {{"site", options_.site},
                                               {"delivery", outcome.delivery_id},
                                               {"delivered", outcome.delivered ? "true" : "false"}});
    tell(ReportDelivery{outcome.delivery_id, outcome.task_id, outcome.site, outcome.delivered,
                        outcome.reason});
  }
  return okResult();
}

void ReportSender::tell(const ReportDelivery& delivery) {
  if (!notifier_.notify(delivery)) return;  // still noted in the outbox: offered again later
  if (delivery.task_id.empty()) return;     // no task, no note
  if (auto forgotten = store_->outcomeApplied(options_.site, delivery.delivery_id); !forgotten) {
    // Offered again later; the listener is idempotent.
    log::warn("report_outcome_note_kept", {{"site", options_.site},
                                           {"delivery", delivery.delivery_id},
                                           {"reason", forgotten.error().describe()}});
  }
}

void ReportSender::outboxUnreachable(const Error& error) {
  // Said once when the outbox becomes unreachable, not at every retry.
  if (!store_unreachable_) {
    log::warn("report_outbox_unreachable", {{"site", options_.site},
                                            {"reason", error.describe()}});
  }
  store_unreachable_ = true;
}

ReportStep ReportSender::step() {
  if (auto prepared = prepare(); !prepared) {
    outboxUnreachable(prepared.error());
    return ReportStep::StoreDown;
  }
  auto claimed = store_->claim(options_.site, options_.worker_id, options_.claim_wait);
  if (!claimed) {
    outboxUnreachable(claimed.error());
    return ReportStep::StoreDown;
  }
  if (store_unreachable_) {
    log::info("report_outbox_reachable", {{"site", options_.site}});
    store_unreachable_ = false;
  }
  if (!claimed.value()) {
    // Sites close idle MLLP connections on their own schedule; closing first avoids failing
    // the next report on a connection the site has already dropped.
    if (transport_->connected() &&
        clock_.steadyNow() - last_activity_ >= options_.idle_connection_timeout) {
      transport_->close();
    }
    return ReportStep::Idle;
  }
  const OutboxEntry& entry = *claimed.value();
  sent_.add();
  Result<SiteAck> ack = transport_->send(entry.message);
  last_activity_ = clock_.steadyNow();
  handleAnswer(entry, ack);
  return unrecorded_ ? ReportStep::StoreDown : ReportStep::Sent;
}

void ReportSender::handleAnswer(const OutboxEntry& entry, const Result<SiteAck>& ack) {
  if (!ack) {
    fail(entry, ack.error().describe(), /*retryable=*/true, /*from_site=*/false);
    return;
  }
  switch (ack->answer) {
    case SiteAnswer::Accepted: {
      Unrecorded outcome{entry, Unrecorded::Kind::Delivered, {}, {}};
      if (!record(outcome)) unrecorded_ = std::move(outcome);
      return;
    }
    case SiteAnswer::Error:
      fail(entry, describeAck(ack.value()), /*retryable=*/true, /*from_site=*/true);
      return;
    case SiteAnswer::Rejected:
      fail(entry, describeAck(ack.value()), /*retryable=*/false, /*from_site=*/true);
      return;
  }
}

void ReportSender::fail(const OutboxEntry& entry, const std::string& reason, bool retryable,
                        bool from_site) {
  failed_.add();
  // A site's error text often quotes the patient or the accession number: it is kept in the
  // outbox for people, but logged only when the configuration asks for identifying logs.
  const std::string_view logged = from_site ? log::identifying(reason) : std::string_view(reason);
  const int attempts = entry.attempts + 1;
  Unrecorded outcome{entry, Unrecorded::Kind::Dead, {}, reason};
  if (retryable && retry_.shouldRetry(ErrorCode::Unavailable, attempts)) {
    const auto wait = retry_.backoff(attempts);
    outcome.kind = Unrecorded::Kind::Retry;
    outcome.due = clock_.utcNow() + wait;
    log::warn("report_failed_will_retry", {{"site", options_.site},
                                           {"delivery", entry.delivery_id},
                                           {"attempt", std::to_string(attempts)},
                                           {"retry_in_ms", std::to_string(wait.count())},
                                           {"reason", logged}});
  } else {
    log::error("report_dead_lettered", {{"site", options_.site},
                                        {"delivery", entry.delivery_id},
                                        {"attempts", std::to_string(attempts)},
                                        {"reason", logged}});
  }
  if (!record(outcome)) unrecorded_ = std::move(outcome);
}

// Writes the outcome to the store, then tells the listener (never before: a restart must not
// find a delivery the worklist already counts as delivered still queued). False when the
// store could not take it.
bool ReportSender::record(const Unrecorded& outcome) {
  const OutboxEntry& entry = outcome.entry;
  Result<void> recorded = okResult();
  switch (outcome.kind) {
    case Unrecorded::Kind::Delivered:
      recorded = store_->markDelivered(entry, options_.worker_id);
      break;
    case Unrecorded::Kind::Retry:
      recorded = store_->retryLater(entry, options_.worker_id, outcome.due, outcome.reason);
      break;
    case Unrecorded::Kind::Dead:
      recorded = store_->deadLetter(entry, options_.worker_id, outcome.reason);
      break;
  }
  if (!recorded) {
    // NotFound: a retry or dead letter for a delivery a restart reclaimed meanwhile (it is
    // ready again and will be tried again), or a delivered one whose record has expired.
    // Nothing to record, nobody to tell.
    if (recorded.error().code == ErrorCode::NotFound) return true;
    log::warn("report_outcome_not_recorded", {{"site", options_.site},
                                              {"delivery", entry.delivery_id},
                                              {"reason", recorded.error().describe()}});
    return false;
  }
  ReportDelivery delivery{entry.delivery_id, entry.task_id, entry.site, false, outcome.reason};
  switch (outcome.kind) {
    case Unrecorded::Kind::Delivered:
      delivered_.add();
      delivery.delivered = true;
      log::info("report_delivered", {{"site", options_.site}, {"delivery", entry.delivery_id},
                                     {"attempts", std::to_string(entry.attempts + 1)}});
      audit(outcome);
      tell(delivery);
      return true;
    case Unrecorded::Kind::Dead:
      dead_.add();
      audit(outcome);
      tell(delivery);
      return true;
    case Unrecorded::Kind::Retry:
      return true;
  }
  return true;
}

void ReportSender::audit(const Unrecorded& outcome) {
  if (options_.audit == nullptr) return;
  const OutboxEntry& entry = outcome.entry;
  AuditRecord record;
  const bool delivered = outcome.kind == Unrecorded::Kind::Delivered;
  record.action = delivered ? "report.delivered" : "report.dead_lettered";
  record.actor = "engine";
  record.outcome = delivered ? "success" : "failure";
  record.site = entry.site;
  record.accession_number = entry.accession_number;
  record.patient_id = entry.patient_id;
  record.details = {{"delivery_id", entry.delivery_id},
                    {"task_id", entry.task_id},
                    {"attempts", std::to_string(entry.attempts + 1)}};
  if (!delivered) record.details["reason"] = outcome.reason;
  options_.audit->record(std::move(record));
}

}  // namespace sundial::engine
