#pragma once
// SlaTimerLoop: the one thread that acts on time: SLA warnings at the configured fraction,
// breaches at due time (escalation: the task goes back to its pool as "escalated" and the
// re-dispatch hook, set by the dispatcher, picks the next eligible reader), and claims whose
// lease ran out. Timers live in Redis zsets by due ms (task_store.h), so a restart or another
// node finds them; the compare-and-set of each change makes sure only one node acts.
// Notifications (webhook) go through SlaNotifier, which must never block this thread.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "worklist/task_service.h"

namespace sundial::worklist {

struct SlaNotice {
  std::string kind;  // "sla_warning" or "sla_breached"
  Task task;         // after the change
  std::string cause; // the step running late
  UtcTime at{};
};

class SlaNotifier {
 public:
  virtual ~SlaNotifier() = default;
  // Queues the notice; returns at once (delivery, retries: the notifier's own thread).
  virtual void notify(const SlaNotice& notice) = 0;
};

class SlaTimerLoop {
 public:
  // Called with an escalated task and the reader who held it when it breached (escalation
  // has taken it off them; empty when it sat in a pool), on the timer thread: assign it to
  // the next eligible reader, not that one (TaskService::apply(Assign)); must return
  // quickly.
  using RedispatchHook =
      std::function<void(const Task& escalated, const std::string& breached_reader)>;

  // `notifier` may be null. Polls at least every `poll` for timers other nodes added.
  SlaTimerLoop(TaskService& tasks, SlaNotifier* notifier,
               std::chrono::milliseconds poll = std::chrono::seconds(1));
  ~SlaTimerLoop();

  // Before start(), or from the owner's thread while stopped.
  void setRedispatchHook(RedispatchHook hook) { redispatch_ = std::move(hook); }

  void start();
  void stop();

  // One pass over what is due at the service clock's now. Returns how many timers were
  // acted on; Unavailable when Redis is down. The thread calls it; tests call it directly.
  Result<int> runOnce();

 private:
  void run();
  int act(const std::string& task_id, SlaTimerKind kind, UtcTime now);
  void onBreach(const Task& before, const Task& after, const std::string& cause, UtcTime now);

  TaskService& tasks_;
  SlaNotifier* notifier_;
  const std::chrono::milliseconds poll_;
  RedispatchHook redispatch_;
  std::mutex mutex_;  // with wake_, for stop()
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sundial::worklist
