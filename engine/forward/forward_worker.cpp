#include "engine/forward/forward_worker.h"

#include <map>

#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::engine {
namespace {

constexpr std::chrono::milliseconds kRetryPromotionInterval{250};
constexpr std::chrono::milliseconds kStoreDownPause{500};

}  // namespace

ForwardWorker::ForwardWorker(ForwardWorkerOptions options, std::unique_ptr<ForwardQueue> queue,
                             std::unique_ptr<InstanceSender> sender, Spool& spool,
                             RetryPolicy retry, const Clock& clock, Metrics& metrics)
    : options_(std::move(options)),
      queue_(std::move(queue)),
      sender_(std::move(sender)),
      spool_(spool),
      retry_(std::move(retry)),
      clock_(clock),
      forwarded_(metrics.counter("sundial_forwarded_total", "Instances delivered to a destination",
                                 {{"destination", options_.destination}})),
      failures_(metrics.counter("sundial_forward_failures_total",
                                "Failed forward attempts (each retry counts)",
                                {{"destination", options_.destination}})),
      dead_lettered_(metrics.counter("sundial_forward_dead_letters_total",
                                     "Forward jobs given up and dead-lettered",
                                     {{"destination", options_.destination}})),
      latency_(metrics.histogram("sundial_forward_latency_seconds",
                                 "From an instance's arrival at Sundial to its delivery",
                                 {{"destination", options_.destination}})) {}

ForwardWorker::~ForwardWorker() { stop(); }

void ForwardWorker::start() {
  stopping_ = false;
  thread_ = std::thread([this] {
    nameThisThread("fwd " + options_.destination);
    run();
  });
}

void ForwardWorker::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ForwardWorker::run() {
  while (!stopping_) {
    ForwardStep next = step();
    if (next == ForwardStep::RetryLater) std::this_thread::sleep_for(kStoreDownPause);
  }
  sender_->release();
}

ForwardStep ForwardWorker::step() {
  SteadyTime now = clock_.steadyNow();
  if (!reclaimed_) {
    auto reclaimed = queue_->reclaim(options_.destination, options_.worker_id);
    if (!reclaimed) return ForwardStep::RetryLater;
    reclaimed_ = true;
    if (reclaimed.value() > 0) {
      log::info("forward_jobs_reclaimed", {{"destination", options_.destination},
                                           {"worker", options_.worker_id},
                                           {"jobs", std::to_string(reclaimed.value())}});
    }
  }
  if (options_.promotes_retries && now - last_promotion_ >= kRetryPromotionInterval) {
    last_promotion_ = now;
    auto promoted = queue_->promoteDueRetries(options_.destination, clock_.utcNow());
    if (!promoted) return ForwardStep::RetryLater;
  }

  auto claimed = queue_->claim(options_.destination, options_.worker_id, options_.batch_size,
                               options_.claim_wait);
  if (!claimed) {
    // Said once when the queue becomes unreachable, not at every retry.
    if (!queue_unreachable_) {
      log::warn("forward_queue_unreachable", {{"destination", options_.destination},
                                              {"worker", options_.worker_id},
                                              {"reason", claimed.error().describe()}});
    }
    queue_unreachable_ = true;
    return ForwardStep::RetryLater;
  }
  if (queue_unreachable_) {
    log::info("forward_queue_reachable", {{"destination", options_.destination},
                                          {"worker", options_.worker_id}});
    queue_unreachable_ = false;
  }
  std::vector<ForwardJob>& jobs = claimed.value();
  if (jobs.empty()) {
    if (!association_idle_released_ &&
        clock_.steadyNow() - last_activity_ >= options_.idle_association_timeout) {
      sender_->release();
      association_idle_released_ = true;
    }
    return ForwardStep::Idle;
  }

  sender_->prepare(jobs);
  association_idle_released_ = false;
  // Sent instances per study, recorded however the batch ends.
  std::map<std::string, int> sent_by_study;
  struct RecordOnExit {
    ForwardWorker& worker;
    const std::map<std::string, int>& sent;
    ~RecordOnExit() { worker.recordForwarded(sent); }
  } record_on_exit{*this, sent_by_study};
  for (size_t i = 0; i < jobs.size(); ++i) {
    const ForwardJob& job = jobs[i];
    // On stop, unsent jobs stay in this worker's in-flight list for the next start.
    if (stopping_) return ForwardStep::Stopped;
    Result<void> sent = sender_->send(job);
    if (!sent) {
      handleFailure(job, sent.error(), /*log_each=*/true);
      // A destination that is down or refusing fails the rest of the batch the same way:
      // schedule them all rather than wait for each to time out (one log line for them).
      if (sent.error().code == ErrorCode::Unavailable || sent.error().code == ErrorCode::Rejected) {
        for (size_t j = i + 1; j < jobs.size(); ++j) handleFailure(jobs[j], sent.error(), false);
        if (i + 1 < jobs.size()) {
          log::warn("forward_batch_postponed", {{"destination", options_.destination},
                                                {"jobs", std::to_string(jobs.size() - i - 1)},
                                                {"reason", sent.error().describe()}});
        }
        break;
      }
      continue;
    }
    auto acked = queue_->acknowledge(job, options_.worker_id);
    if (!acked) {
      // The instance is at the destination but not recorded as such: it stays in flight and
      // is sent once more after a reclaim. Receivers treat a repeat of a SOP Instance UID as
      // the same instance; this is the narrowest window we can leave.
      log::warn("forward_ack_failed", {{"destination", options_.destination},
                                       {"reason", acked.error().describe()}});
      return ForwardStep::RetryLater;
    }
    forwarded_.add();
    ++sent_by_study[job.study_uid];
    latency_.observe(std::chrono::duration<double>(clock_.utcNow() - job.received_at).count());
    finish(job, acked.value());
  }
  last_activity_ = clock_.steadyNow();
  return ForwardStep::Continue;
}

void ForwardWorker::handleFailure(const ForwardJob& job, const Error& error, bool log_each) {
  failures_.add();
  int attempts = job.attempts + 1;
  if (retry_.shouldRetry(error.code, attempts)) {
    auto wait = retry_.backoff(attempts);
    if (log_each) {
      log::warn("forward_failed_will_retry",
              {{"destination", options_.destination},
               {"sop_instance_uid", log::identifying(job.sop_instance_uid)},
               {"attempt", std::to_string(attempts)},
               {"retry_in_ms", std::to_string(wait.count())},
               {"reason", error.describe()}});
    }
    auto queued = queue_->retryLater(job, options_.worker_id, clock_.utcNow() + wait,
                                     error.describe());
    if (!queued) {
      log::warn("forward_retry_not_recorded", {{"destination", options_.destination},
                                               {"reason", queued.error().describe()}});
    }
    // A destination that is down fails every job the same way: release and let the
    // association be re-opened for the next batch.
    sender_->release();
    return;
  }
  log::error("forward_dead_lettered", {{"destination", options_.destination},
                                       {"sop_instance_uid", log::identifying(job.sop_instance_uid)},
                                       {"attempts", std::to_string(attempts)},
                                       {"reason", error.describe()}});
  auto dead = queue_->deadLetter(job, options_.worker_id, error.describe());
  if (!dead) {
    log::warn("forward_dead_letter_not_recorded", {{"destination", options_.destination},
                                                   {"reason", dead.error().describe()}});
    return;
  }
  dead_lettered_.add();
  if (options_.audit) {
    AuditRecord record;
    record.action = "forward.dead_lettered";
    record.actor = "engine";
    record.outcome = "failure";
    record.study_uid = job.study_uid;
    record.details = {{"destination", options_.destination},
                      {"sop_instance_uid", job.sop_instance_uid},
                      {"attempts", std::to_string(attempts)},
                      {"reason", error.describe()}};
    options_.audit->record(std::move(record));
  }
  finish(job, dead.value());
}

void ForwardWorker::recordForwarded(const std::map<std::string, int>& sent_by_study) {
  if (!options_.audit) return;
  for (const auto& [study_uid, count] : sent_by_study) {
    AuditRecord record;
    record.action = "instance.forwarded";
    record.actor = "engine";
    record.study_uid = study_uid;
    record.details = {{"destination", options_.destination}, {"count", std::to_string(count)}};
    options_.audit->record(std::move(record));
  }
}

void ForwardWorker::finish(const ForwardJob& job, const AckOutcome& outcome) {
  if (!outcome.instance_done || options_.keep_forwarded) return;
  auto removed = spool_.remove(job.spool_path);
  if (!removed) {
    log::warn("spool_remove_failed", {{"destination", options_.destination},
                                      {"reason", removed.error().describe()}});
  }
}

}  // namespace sundial::engine
