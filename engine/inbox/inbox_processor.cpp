#include "engine/inbox/inbox_processor.h"

#include <set>
#include <variant>

#include "engine/domain/log.h"
#include "hl7/mapping/inbound_message.h"
#include "engine/domain/thread_name.h"

namespace sundial::engine {
namespace {

namespace mapping = hl7::mapping;

constexpr std::chrono::milliseconds kIdlePause{50};

}  // namespace

InboxProcessor::InboxProcessor(Hl7Inbox* inbox, OrderMatcher& matcher, StateStore& studies,
                               std::function<std::unique_ptr<EventPublisher>()> make_publisher,
                               const Clock& clock, InboxProcessorOptions options)
    : inbox_(inbox),
      matcher_(matcher),
      studies_(studies),
      make_publisher_(std::move(make_publisher)),
      clock_(clock),
      options_(std::move(options)) {}

InboxProcessor::~InboxProcessor() { stop(); }

void InboxProcessor::registerReportHandler(ReportHandler handler) {
  std::lock_guard lock(handler_mutex_);
  report_handler_ = std::move(handler);
}

ReportHandler InboxProcessor::reportHandler() const {
  std::lock_guard lock(handler_mutex_);
  return report_handler_;
}

void InboxProcessor::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    nameThisThread("hl7-inbox");
    log::info("inbox_processor_started", {{"consumer", options_.consumer}});
    while (!stop_) {
      runOnce();
      // After a transient failure: pause before the next try (stop still answered quickly).
      while (!stop_ && clock_.steadyNow() < retry_not_before_) std::this_thread::sleep_for(kIdlePause);
    }
    publisher_.reset();  // it belongs to this thread
    log::info("inbox_processor_stopped", {{"consumer", options_.consumer}});
  });
}

void InboxProcessor::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void InboxProcessor::publish(const Event& event) {
  if (!publisher_ && make_publisher_) publisher_ = make_publisher_();
  if (!publisher_) return;
  // The change is stored already; a lost notification is caught up by readers of Redis.
  if (auto sent = publisher_->publish(event); !sent) {
    log::warn("inbox_event_not_published",
              {{"event", eventName(event)}, {"error", sent.error().describe()}});
  }
}

InboxOutcome InboxProcessor::reject(const InboxMessage& message, const std::string& reason) {
  auto rejected = inbox_->reject(message.id, reason);
  if (!rejected) {
    log::warn("inbox_reject_failed", {{"site", message.site},
                                      {"control_id", message.control_id},
                                      {"error", rejected.error().describe()}});
    return InboxOutcome::Retry;
  }
  log::warn("inbox_message_rejected", {{"site", message.site},
                                       {"message_type", message.message_type},
                                       {"control_id", message.control_id},
                                       {"reason", reason}});
  return InboxOutcome::Rejected;
}

// A change that could not be applied: try again later, or reject it with the reason.
InboxOutcome InboxProcessor::settle(const InboxMessage& message, Result<void> applied) {
  if (applied) {
    auto finished = inbox_->finish(message.id);
    if (!finished) return InboxOutcome::Retry;  // applied again next time: idempotent
    return InboxOutcome::Finished;
  }
  if (isRetryable(applied.error().code)) {
    log::warn("inbox_message_retry", {{"site", message.site},
                                      {"control_id", message.control_id},
                                      {"error", applied.error().describe()}});
    return InboxOutcome::Retry;
  }
  return reject(message, applied.error().describe());
}

InboxOutcome InboxProcessor::apply(const InboxMessage& message) {
  auto change = mapping::mapInboundMessage(message.raw, message.site, message.received_at);
  if (!change) return reject(message, change.error().describe());

  if (auto* orders = std::get_if<mapping::OrdersChange>(&change.value())) {
    std::vector<OrderReceived> events;
    for (const Order& order : orders->orders) {
      auto key = matcher_.applyOrder(order);
      if (!key) return settle(message, key.error());
      events.push_back({order.site, key.value(), std::string(orderStatusName(order.status)),
                        std::string(orderPriorityName(order.priority)), order.accession_number,
                        order.received_at});
    }
    const InboxOutcome outcome = settle(message, okResult());
    for (const auto& event : events) publish(event);
    return outcome;
  }
  if (auto* patient = std::get_if<mapping::PatientChange>(&change.value())) {
    auto applied = matcher_.applyPatient(patient->patient);
    const InboxOutcome outcome = settle(message, applied);
    if (applied) {
      publish(PatientUpdated{patient->patient.site, patient->patient.patient_id,
                             patient->patient.updated_at});
    }
    return outcome;
  }
  if (auto* merges = std::get_if<mapping::MergeChange>(&change.value())) {
    for (const PatientMergeRequest& merge : merges->merges) {
      auto applied = matcher_.applyMerge(merge);
      if (!applied) return settle(message, applied.error());
    }
    const InboxOutcome outcome = settle(message, okResult());
    for (const PatientMergeRequest& merge : merges->merges) {
      publish(PatientsMerged{merge.site, merge.surviving_patient_id, merge.prior_patient_id,
                             merge.merged_at});
    }
    return outcome;
  }
  if (auto* report = std::get_if<mapping::ReportChange>(&change.value())) {
    ReportHandler handler = reportHandler();
    if (!handler) return InboxOutcome::Held;
    auto handled = handler(report->report, message);
    const InboxOutcome outcome = settle(message, handled);
    if (handled) {
      publish(ReportReceived{report->report.site, report->report.accession_number,
                             std::string(reportStatusName(report->report.status)),
                             message.received_at});
    }
    return outcome;
  }
  const auto& ignored = std::get<mapping::IgnoredMessage>(change.value());
  log::debug("inbox_message_ignored", {{"site", message.site},
                                       {"control_id", message.control_id},
                                       {"why", ignored.why}});
  return settle(message, okResult());
}

InboxOutcome InboxProcessor::process(const InboxMessage& message) {
  const InboxOutcome outcome = apply(message);
  if (outcome == InboxOutcome::Retry || outcome == InboxOutcome::Held) {
    unfinished_[message.id] = message;
  } else {
    unfinished_.erase(message.id);
  }
  if (outcome == InboxOutcome::Retry) {
    retry_not_before_ = clock_.steadyNow() + options_.retry_after;
  }
  return outcome;
}

void InboxProcessor::runOnce() {
  // First what was taken and not finished, in inbox order (ids sort by arrival).
  const bool can_report = static_cast<bool>(reportHandler());
  std::vector<std::string> again;
  for (const auto& [id, message] : unfinished_) again.push_back(id);
  for (const auto& id : again) {
    if (stop_) return;
    const InboxMessage message = unfinished_.at(id);
    auto change_is_report = message.message_type.rfind("ORU", 0) == 0;
    if (change_is_report && !can_report) continue;  // held until a handler is registered
    if (process(message) == InboxOutcome::Retry) return;
  }

  if (inbox_ == nullptr) {
    // No HL7: nothing to take; the sweeps below still run, at the pace take() would set.
    if (clock_.steadyNow() < next_sweep_) std::this_thread::sleep_for(options_.wait);
  }
  // Then new ones. The inbox hands out again what it gave and was not finished; those are
  // known here already. Taking that many more keeps held reports from crowding new work out.
  auto taken = inbox_ ? inbox_->take(options_.consumer, options_.batch + unfinished_.size(),
                                    options_.wait)
                     : Result<std::vector<InboxMessage>>(std::vector<InboxMessage>{});
  if (!taken) {
    log::warn("inbox_take_failed", {{"error", taken.error().describe()}});
    retry_not_before_ = clock_.steadyNow() + options_.retry_after;
    return;
  }
  for (const InboxMessage& message : taken.value()) {
    if (stop_) return;
    if (unfinished_.count(message.id)) continue;
    if (process(message) == InboxOutcome::Retry) return;
  }
  if (clock_.steadyNow() >= next_sweep_) {
    sweep();
    next_sweep_ = clock_.steadyNow() + options_.sweep_every;
  }
}

void InboxProcessor::sweep() {
  matchCompletedStudies();
  auto listed = matcher_.sweepUnmatched(100);
  if (!listed) log::warn("unmatched_sweep_failed", {{"error", listed.error().describe()}});
}

void InboxProcessor::matchCompletedStudies() {
  auto studies = studies_.listStudies(options_.studies_per_sweep);
  if (!studies) {
    log::warn("study_scan_failed", {{"error", studies.error().describe()}});
    return;
  }
  std::map<std::string, long long> seen;
  for (const StudySummary& study : studies.value()) {
    if (study.state != StudyState::Complete) continue;
    const long long completed_ms = toEpochMs(study.completed_at);
    auto before = studies_seen_.find(study.study_uid);
    if (before != studies_seen_.end() && before->second == completed_ms) {
      seen.emplace(study.study_uid, completed_ms);
      continue;
    }
    auto link = matcher_.orderForStudy(study.study_uid);
    if (!link) {
      log::warn("study_match_failed", {{"study_uid", log::identifying(study.study_uid)},
                                       {"error", link.error().describe()}});
      continue;  // looked at again next sweep
    }
    seen.emplace(study.study_uid, completed_ms);
  }
  // Only what is still in view is remembered, so this stays as small as the view.
  studies_seen_ = std::move(seen);
}

}  // namespace sundial::engine
