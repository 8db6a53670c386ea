#include "worklist/sla_timer_loop.h"

#include <algorithm>

#include "engine/domain/log.h"

namespace sundial::worklist {
namespace {

constexpr std::size_t kBatch = 200;
constexpr std::string_view kActor = "sla";
// Never spin: a timer that cannot be acted on waits at least this long for the next try.
constexpr std::chrono::milliseconds kMinimumWait{20};

}  // namespace

SlaTimerLoop::SlaTimerLoop(TaskService& tasks, SlaNotifier* notifier, std::chrono::milliseconds poll)
    : tasks_(tasks), notifier_(notifier), poll_(poll) {}

SlaTimerLoop::~SlaTimerLoop() { stop(); }

void SlaTimerLoop::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void SlaTimerLoop::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SlaTimerLoop::run() {
  while (true) {
    auto handled = runOnce();
    if (!handled) log::warn("sla_timers_failed", {{"reason", handled.error().describe()}});
    // Sleep until the next timer, but poll: other nodes add timers too.
    auto wait = poll_;
    if (handled && handled.value() == 0) {
      auto next = tasks_.nextTimer();
      if (next && next->has_value()) {
        auto until = std::chrono::duration_cast<std::chrono::milliseconds>(**next - tasks_.clock().utcNow());
        wait = std::clamp(until, kMinimumWait, poll_);
      }
    } else if (handled) {
      wait = kMinimumWait;  // a full batch may have left more
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, wait, [this] { return stopping_; })) return;
  }
}

Result<int> SlaTimerLoop::runOnce() {
  const UtcTime now = tasks_.clock().utcNow();
  auto leases = tasks_.lapsedLeases(now, kBatch);
  if (!leases) return leases.error();
  int handled = 0;
  for (const auto& id : leases.value()) {
    handled += act(id, SlaTimerKind::Lease, now);
  }
  auto timers = tasks_.dueSlaTimers(now, kBatch);
  if (!timers) return timers.error();
  for (const DueSlaTimer& timer : timers.value()) handled += act(timer.task_id, timer.kind, now);
  return handled;
}

// 1 when the timer was acted on (or dropped as stale), 0 when it must stay (Redis trouble).
int SlaTimerLoop::act(const std::string& id, SlaTimerKind kind, UtcTime now) {
  auto before = tasks_.get(id);
  if (!before) {
    if (before.error().code != ErrorCode::NotFound) return 0;
    (void)tasks_.forgetTimer(id, kind);
    return 1;
  }
  const std::string cause(lateStep(before->state));
  TaskCommand command = kind == SlaTimerKind::Lease     ? TaskCommand(command::LapseLease{})
                        : kind == SlaTimerKind::Warning ? TaskCommand(command::SlaWarning{cause})
                                                        : TaskCommand(command::SlaBreach{cause});
  auto applied = tasks_.applyChange(id, command, std::string(kActor));
  if (!applied) {
    // Refused: a lease renewed meanwhile (its entry moved on). Anything else stays for the
    // next pass only if Redis is the trouble.
    if (isRetryable(applied.error().code)) return 0;
    return 1;
  }
  const Task* after = &applied->task;
  if (!applied->changed) {
    // Nothing to do (closed, already warned or breached, no longer claimed), or another node
    // did it first (its change cleared the entry already).
    (void)tasks_.forgetTimer(id, kind);
    return 1;
  }
  if (kind == SlaTimerKind::Warning) {
    log::warn("sla_warning", {{"task", after->id}, {"site", after->site}, {"cause", cause}});
    if (notifier_) notifier_->notify({std::string(kEventSlaWarning), *after, cause, now});
  } else if (kind == SlaTimerKind::Breach) {
    onBreach(before.value(), *after, cause, now);
  }
  return 1;
}

void SlaTimerLoop::onBreach(const Task& before, const Task& after, const std::string& cause,
                            UtcTime now) {
  SlaBreachRecord record;
  record.task_id = after.id;
  record.site = after.site;
  record.modality = after.modality;
  record.priority = after.priority;
  record.reader = before.holder();  // escalation takes the task off them
  record.state = after.state;
  record.cause = cause;
  record.due = after.due;
  record.at = now;
  if (auto recorded = tasks_.recordBreach(record); !recorded) {
    log::warn("sla_breach_not_listed", {{"task", after.id}, {"reason", recorded.error().describe()}});
  }
  log::warn("sla_breached", {{"task", after.id},
                             {"site", after.site},
                             {"priority", orderPriorityName(after.priority)},
                             {"cause", cause},
                             {"state", taskStateName(after.state)}});
  if (notifier_) notifier_->notify({std::string(kEventSlaBreached), after, cause, now});
  if (after.state == TaskState::Escalated && redispatch_) redispatch_(after, before.holder());
}

}  // namespace sundial::worklist
