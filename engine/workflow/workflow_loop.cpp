#include "engine/workflow/workflow_loop.h"

#include <algorithm>
#include <thread>

#include "engine/domain/log.h"

namespace sundial::engine {
namespace {

constexpr size_t kMaxEventsPerRound = 512;
constexpr size_t kMaxRecordsPerBatch = 512;
constexpr std::chrono::milliseconds kStoreCheckInterval{1000};
constexpr size_t kRecoveryBatch = 256;
constexpr std::chrono::seconds kRetentionSweepInterval{60};
constexpr int kStudiesForgottenPerSweep = 500;
constexpr std::chrono::seconds kNodeSweepInterval{1};
constexpr int kReleasedFilesPerSweep = 500;
// Looking for studies a node left open reads every open study: not every second.
constexpr std::chrono::seconds kOrphanSweepInterval{5};
// Another node's open study is completed here only this long after its quiet period passed:
// its own node would have done it, unless it is down (or its clock is that far off).
constexpr std::chrono::seconds kOrphanGrace{10};

}  // namespace

WorkflowLoop::WorkflowLoop(std::shared_ptr<const config::Config> config, StateStore& store,
                           EventSubscriber& events, Spool& spool, const Clock& clock,
                           Metrics& metrics, std::atomic<bool>& accepting)
    : config_(std::move(config)),
      store_(store),
      events_(events),
      spool_(spool),
      clock_(clock),
      routing_(config_),
      accepting_(accepting),
      recorded_(metrics.counter("sundial_instances_recorded_total",
                                "Spooled instances recorded in the state store")),
      completed_(metrics.counter("sundial_studies_completed_total",
                                 "Studies whose quiet period passed")),
      duplicates_(metrics.counter("sundial_instances_duplicate_total",
                                  "Instances received again (same SOP Instance UID); never "
                                  "forwarded twice")),
      open_studies_(metrics.gauge("sundial_open_studies", "Studies still receiving")) {}

InstanceRecord WorkflowLoop::recordFor(const SpooledInstance& instance) const {
  const RoutePlan& plan = routing_.planFor(instance.site);
  InstanceRecord record{instance, plan.destinations, plan.streaming};
  // With rules, the dispatcher may send the study to a reader after the configured
  // destinations have it: keep the file until it has decided.
  record.hold_for_dispatch = !config_->rules.folder.empty();
  return record;
}

Result<void> WorkflowLoop::recover(const SpoolHeaderReader& read_header) {
  auto open = store_.openStudies();
  if (!open) return open.error();
  SteadyTime now = clock_.steadyNow();
  for (const OpenStudy& study : open.value()) {
    // Another node's study is watched by that node (completeOrphanedStudies() if it is down).
    if (!study.node.empty() && study.node != config_->node.name) continue;
    tracker_.rearm(study.study_uid, study.site, study.modality,
                   now + config_->quietPeriodFor(study.site, study.modality));
  }

  std::vector<std::filesystem::path> files = spool_.listCommitted();
  size_t recovered = 0;
  size_t leftovers_removed = 0;
  for (size_t start = 0; start < files.size(); start += kRecoveryBatch) {
    size_t end = std::min(files.size(), start + kRecoveryBatch);
    std::vector<std::string> sops;
    for (size_t i = start; i < end; ++i) sops.push_back(files[i].stem().string());
    auto known = store_.knownInstances(sops);
    if (!known) return known.error();
    auto finished = store_.finishedInstances(sops);
    if (!finished) return finished.error();
    for (size_t i = start; i < end; ++i) {
      if (finished.value()[i - start]) {
        // Forwarded everywhere; its removal was queued when the process stopped.
        if (!config_->spool.keep_forwarded && spool_.remove(files[i])) ++leftovers_removed;
        continue;
      }
      if (known.value()[i - start]) continue;
      auto instance = read_header(files[i]);
      if (!instance) {
        log::error("spool_file_unreadable", {{"reason", instance.error().describe()}});
        continue;
      }
      pending_.push_back(recordFor(instance.value()));
      tracker_.onInstance(instance->study_uid, instance->series_uid, instance->site,
                          instance->modality, now,
                          config_->quietPeriodFor(instance->site, instance->modality));
      ++recovered;
    }
  }
  flushPending();
  log::info("workflow_recovered", {{"open_studies", std::to_string(open->size())},
                                   {"spool_files", std::to_string(files.size())},
                                   {"unrecorded_instances", std::to_string(recovered)},
                                   {"forwarded_files_removed", std::to_string(leftovers_removed)}});
  if (!pending_.empty()) return makeError(ErrorCode::Unavailable, "state store refused recovery");
  return okResult();
}

void WorkflowLoop::run(const std::atomic<bool>& stop) {
  while (!stop.load()) runOnce(std::chrono::milliseconds(200));
}

void WorkflowLoop::runOnce(std::chrono::milliseconds max_wait) {
  SteadyTime now = clock_.steadyNow();
  std::chrono::milliseconds wait = max_wait;
  if (auto deadline = tracker_.nextDeadline()) {
    auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now);
    wait = std::clamp(until + std::chrono::milliseconds(1), std::chrono::milliseconds(0), wait);
  }
  if (!pending_.empty() || !completions_.empty()) wait = std::min(wait, kStoreCheckInterval);

  auto received = events_.receive(wait, kMaxEventsPerRound);
  if (!received) {
    log::error("bus_receive_failed", {{"reason", received.error().describe()}});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } else {
    handle(received.value());
  }
  flushPending();
  completeDueStudies();
  checkStore();
  forgetFinishedStudies();
  sweepForNode();
  open_studies_.set(static_cast<double>(tracker_.openStudies()));
}

void WorkflowLoop::handle(std::vector<Event>& events) {
  SteadyTime now = clock_.steadyNow();
  for (Event& event : events) {
    auto* spooled = std::get_if<InstanceSpooled>(&event);
    if (!spooled) continue;  // StudyCompleted is ours to publish, not to handle
    const SpooledInstance& i = spooled->instance;
    tracker_.onInstance(i.study_uid, i.series_uid, i.site, i.modality, now,
                        config_->quietPeriodFor(i.site, i.modality));
    pending_.push_back(recordFor(i));
  }
}

void WorkflowLoop::flushPending() {
  while (!pending_.empty()) {
    size_t count = std::min(pending_.size(), kMaxRecordsPerBatch);
    std::vector<InstanceRecord> batch(std::make_move_iterator(pending_.begin()),
                                      std::make_move_iterator(pending_.begin() + count));
    auto recorded = store_.recordInstances(batch);
    if (!recorded && !isRetryable(recorded.error().code)) {
      // The store refuses something in this batch for good: record one by one so that only
      // the offending instance is set aside (logged, its file stays in the spool).
      for (size_t i = 0; i < count; ++i) recordAlone(batch[i]);
      pending_.erase(pending_.begin(), pending_.begin() + count);
      continue;
    }
    if (!recorded) {
      // Put them back in order; they are retried at the next round.
      for (size_t i = 0; i < count; ++i) pending_[i] = std::move(batch[i]);
      setAccepting(false, &recorded.error());
      return;
    }
    settleOutcomes(batch, recorded.value());
    pending_.erase(pending_.begin(), pending_.begin() + count);
    setAccepting(true, nullptr);
  }
}

void WorkflowLoop::settleOutcomes(const std::vector<InstanceRecord>& batch,
                                  const std::vector<RecordOutcome>& outcomes) {
  for (size_t i = 0; i < batch.size() && i < outcomes.size(); ++i) {
    if (outcomes[i] == RecordOutcome::Recorded) {
      recorded_.add();
      continue;
    }
    const SpooledInstance& instance = batch[i].instance;
    duplicates_.add();
    bool remove = outcomes[i] == RecordOutcome::DuplicateFileUnneeded &&
                  !config_->spool.keep_forwarded;
    log::info("instance_duplicate",
              {{"site", instance.site},
               {"calling_ae", instance.calling_ae},
               {"sop_instance_uid", log::identifying(instance.sop_instance_uid)},
               {"action", remove ? "spool_file_removed" : "already_queued"}});
    if (!remove) continue;
    if (auto removed = spool_.remove(instance.spool_path); !removed) {
      log::warn("spool_remove_failed", {{"reason", removed.error().describe()}});
    }
  }
}

void WorkflowLoop::recordAlone(const InstanceRecord& record) {
  auto recorded = store_.recordInstances({record});
  if (recorded) {
    settleOutcomes({record}, recorded.value());
    return;
  }
  // Retryable trouble here goes the usual way at the next start (the file is in the spool);
  // anything else needs a person.
  log::error("instance_not_recorded",
             {{"site", record.instance.site},
              {"sop_instance_uid", log::identifying(record.instance.sop_instance_uid)},
              {"spool_path", log::identifying(record.instance.spool_path)},
              {"reason", recorded.error().describe()}});
}

void WorkflowLoop::completeDueStudies() {
  // Only complete studies whose instances are all recorded: otherwise the completion would
  // enqueue an incomplete set.
  if (!pending_.empty()) return;
  for (CompletedStudy& study : tracker_.takeCompleted(clock_.steadyNow())) {
    completions_.push_back(std::move(study));
  }
  while (!completions_.empty()) {
    const CompletedStudy& study = completions_.front();
    const RoutePlan& plan = routing_.planFor(study.site);
    const auto quiet = config_->quietPeriodFor(study.site, study.modality);
    const UtcTime now = clock_.utcNow();
    auto done = store_.completeStudyIfQuiet(study.study_uid, now, quiet, plan.on_completion);
    if (done && done.value()) {
      // Another node received an instance of it meanwhile: wait for the study to go quiet
      // there too (that node's timer may complete it first; then ours changes nothing).
      const auto wait = std::max(std::chrono::milliseconds(1),
                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                     *done.value() + quiet - now));
      tracker_.rearm(study.study_uid, study.site, study.modality, clock_.steadyNow() + wait);
      log::debug("study_still_receiving", {{"site", study.site},
                                           {"study_uid", log::identifying(study.study_uid)}});
      completions_.erase(completions_.begin());
      continue;
    }
    if (!done && isRetryable(done.error().code)) {
      setAccepting(false, &done.error());
      return;
    }
    if (!done) {
      log::error("study_completion_refused", {{"site", study.site},
                                              {"study_uid", log::identifying(study.study_uid)},
                                              {"reason", done.error().describe()}});
      completions_.erase(completions_.begin());
      continue;
    }
    completed_.add();
    log::info("study_completed", {{"site", study.site},
                                  {"modality", study.modality},
                                  {"study_uid", log::identifying(study.study_uid)},
                                  {"series", std::to_string(study.series)},
                                  {"instances", std::to_string(study.instances)}});
    completions_.erase(completions_.begin());
  }
}

void WorkflowLoop::checkStore() {
  if (accepting_.load()) return;
  SteadyTime now = clock_.steadyNow();
  if (now < next_store_check_) return;
  next_store_check_ = now + kStoreCheckInterval;
  auto pinged = store_.ping();
  if (pinged) {
    flushPending();
    if (pending_.empty()) setAccepting(true, nullptr);
  } else {
    setAccepting(false, &pinged.error());
  }
}

void WorkflowLoop::forgetFinishedStudies() {
  SteadyTime now = clock_.steadyNow();
  if (now < next_retention_sweep_ || !accepting_.load()) return;
  next_retention_sweep_ = now + kRetentionSweepInterval;
  UtcTime cutoff = clock_.utcNow() - config_->redis.finished_study_retention;
  auto forgotten = store_.forgetFinishedStudies(cutoff, kStudiesForgottenPerSweep);
  if (!forgotten) {
    log::warn("retention_sweep_failed", {{"reason", forgotten.error().describe()}});
    return;
  }
  if (forgotten.value() > 0) {
    log::info("finished_studies_forgotten", {{"studies", std::to_string(forgotten.value())}});
  }
}

void WorkflowLoop::sweepForNode() {
  SteadyTime now = clock_.steadyNow();
  if (now < next_node_sweep_ || !accepting_.load()) return;
  next_node_sweep_ = now + kNodeSweepInterval;
  removeReleasedFiles();
  if (now < next_orphan_sweep_) return;
  next_orphan_sweep_ = now + kOrphanSweepInterval;
  completeOrphanedStudies();
}

void WorkflowLoop::removeReleasedFiles() {
  auto released = store_.takeReleasedFiles(kReleasedFilesPerSweep);
  if (!released) {
    log::warn("released_files_unavailable", {{"reason", released.error().describe()}});
    return;
  }
  if (config_->spool.keep_forwarded) return;
  for (const std::string& file : released.value()) {
    auto removed = spool_.remove(file);
    if (!removed && removed.error().code != ErrorCode::NotFound) {
      log::warn("spool_remove_failed", {{"reason", removed.error().describe()}});
    }
  }
}

// A node that dies while a study is receiving leaves it open with nobody's timer on it:
// the other nodes complete it once its quiet period (and a grace) has passed since its last
// instance. Its forward jobs still wait for that node, which holds the files.
void WorkflowLoop::completeOrphanedStudies() {
  if (config_->node.name.empty()) return;
  auto open = store_.openStudies();
  if (!open) return;
  const UtcTime now = clock_.utcNow();
  for (const OpenStudy& study : open.value()) {
    if (study.node.empty() || study.node == config_->node.name) continue;
    const auto quiet = config_->quietPeriodFor(study.site, study.modality);
    if (study.last_received_at + quiet + kOrphanGrace > now) continue;
    const RoutePlan& plan = routing_.planFor(study.site);
    auto done = store_.completeStudy(study.study_uid, now, plan.on_completion);
    if (!done) {
      log::warn("study_completion_refused", {{"site", study.site},
                                             {"study_uid", log::identifying(study.study_uid)},
                                             {"reason", done.error().describe()}});
      continue;
    }
    completed_.add();
    log::info("study_completed", {{"site", study.site},
                                  {"modality", study.modality},
                                  {"study_uid", log::identifying(study.study_uid)},
                                  {"for_node", study.node}});
  }
}

void WorkflowLoop::setAccepting(bool accepting, const Error* why) {
  bool was = accepting_.exchange(accepting);
  if (was == accepting) return;
  if (accepting) {
    log::info("state_store_available", {{"accepting", "true"}});
    return;
  }
  next_store_check_ = clock_.steadyNow() + kStoreCheckInterval;
  log::error("state_store_unavailable",
             {{"accepting", "false"},
              {"reason", why ? why->describe() : std::string("unknown")},
              {"effect", "new instances are refused until the state store answers again"}});
}

}  // namespace sundial::engine
