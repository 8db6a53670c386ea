#pragma once
// ReportSender: one thread that delivers the reports of one site. It claims the next
// delivery from the durable outbox, sends it over the site's kept-open MLLP connection,
// checks the ACK and records the outcome:
//   AA/CA                      delivered; the DeliveryListener hears delivered = true
//   AE/CE                      retried with backoff (the site's text kept as the reason) until
//                              max_attempts, then dead-lettered: an application error on the
//                              site's side (order not found yet, a locked record, its database
//                              down) often passes without anyone acting
//   AR/CR                      dead-lettered at once: the site refuses the message itself
//                              (version, type, not for it); the same bytes would be refused
//                              again, so a person fixes the configuration and retries it
//                              through the API
//   no answer, refused, garbage  retried with exponential backoff and jitter, then dead
// The listener hears delivered = false when a delivery is dead-lettered.
// An outcome is told to the listener only once it is recorded in the outbox, where it stays
// noted until the listener says it took it; outcomes the listener could not take (the
// worklist's Redis down), or that a stopped node never told, are offered again every
// outcome_retry_interval, so a task reaches "delivered" once its store is back.
//
// Owns its store connection and its transport. start()/stop() from the owning thread (the
// app); everything else runs on the sender thread.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "engine/audit/audit_sink.h"
#include "engine/domain/clock.h"
#include "engine/forward/retry_policy.h"
#include "engine/metrics/metrics.h"
#include "engine/reports/delivery_notifier.h"
#include "engine/reports/outbox_store.h"
#include "engine/reports/report_transport.h"

namespace sundial::engine {

// What one step did; the loop decides what comes next from it.
enum class ReportStep { Idle, Sent, StoreDown };

struct ReportSenderOptions {
  std::string site;
  std::string worker_id;  // stable across restarts: its in-flight list is reclaimed at start
  std::chrono::milliseconds claim_wait{500};
  std::chrono::milliseconds idle_connection_timeout{30000};
  std::chrono::milliseconds outcome_retry_interval{2000};  // unapplied outcomes offered again
  AuditSink* audit = nullptr;  // report.delivered, report.dead_lettered; must outlive the sender
};

class ReportSender {
 public:
  ReportSender(ReportSenderOptions options, std::unique_ptr<OutboxStore> store,
               std::unique_ptr<ReportTransport> transport, RetryPolicy retry,
               const DeliveryNotifier& notifier, const Clock& clock, Metrics& metrics);
  ~ReportSender();

  void start();
  // Finishes the delivery in hand and joins. A claimed delivery not yet sent stays in this
  // worker's in-flight list and is reclaimed at the next start.
  void stop();

  ReportStep stepForTest() { return step(); }

 private:
  // An outcome the site gave that the store has not recorded yet (Redis was down): recorded
  // before anything else is claimed, and only then told to the listener.
  struct Unrecorded {
    OutboxEntry entry;
    enum class Kind { Delivered, Retry, Dead } kind = Kind::Delivered;
    UtcTime due{};
    std::string reason;
  };

  void run();
  ReportStep step();
  Result<void> prepare();
  void outboxUnreachable(const Error& error);
  void handleAnswer(const OutboxEntry& entry, const Result<SiteAck>& ack);
  void fail(const OutboxEntry& entry, const std::string& reason, bool retryable, bool from_site);
  bool record(const Unrecorded& outcome);
  // Tells the listener; forgets the outbox's note once it took the outcome.
  void tell(const ReportDelivery& delivery);
  Result<void> offerUnappliedOutcomes();
  void audit(const Unrecorded& outcome);

  ReportSenderOptions options_;
  std::unique_ptr<OutboxStore> store_;
  std::unique_ptr<ReportTransport> transport_;
  RetryPolicy retry_;
  const DeliveryNotifier& notifier_;
  const Clock& clock_;
  Counter& sent_;
  Counter& delivered_;
  Counter& failed_;
  Counter& dead_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::optional<Unrecorded> unrecorded_;
  SteadyTime last_activity_{};
  SteadyTime last_promotion_{};
  std::optional<SteadyTime> last_outcome_offer_;  // unset: offer at the first step
  bool reclaimed_ = false;
  bool store_unreachable_ = false;
};

}  // namespace sundial::engine
