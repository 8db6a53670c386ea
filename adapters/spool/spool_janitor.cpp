#include "adapters/spool/spool_janitor.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>

#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::adapters::spool {
namespace {

// Nice value of the janitor's thread: below receiving and forwarding, above idle.
constexpr int kJanitorNice = 10;

}  // namespace

SpoolJanitor::SpoolJanitor(engine::Spool& inner, std::function<void()> tidy,
                           std::chrono::milliseconds tidy_interval)
    : inner_(inner), tidy_(std::move(tidy)), tidy_interval_(tidy_interval) {}

SpoolJanitor::~SpoolJanitor() { stop(); }

void SpoolJanitor::start() {
  std::lock_guard lock(mutex_);
  if (running_) return;
  stopping_ = false;
  running_ = true;
  thread_ = std::thread([this] {
    nameThisThread("spool-janitor");
    run();
  });
}

void SpoolJanitor::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::lock_guard lock(mutex_);
  running_ = false;
}

Result<void> SpoolJanitor::remove(const std::filesystem::path& committed) {
  if (inner_.removeIfCheap(committed)) return okResult();
  {
    std::lock_guard lock(mutex_);
    if (running_ && !stopping_) {
      queue_.push_back(committed);
      wake_.notify_one();
      return okResult();
    }
  }
  return inner_.remove(committed);
}

size_t SpoolJanitor::queuedForTest() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void SpoolJanitor::removeNow(const std::filesystem::path& committed) {
  auto removed = inner_.remove(committed);
  // Gone already is fine: a repeat of the same instance may have queued it twice.
  if (!removed && removed.error().code != ErrorCode::NotFound) {
    log::warn("spool_remove_failed", {{"reason", removed.error().describe()}});
  }
}

void SpoolJanitor::run() {
  // Linux applies a nice value to one thread when given its thread id.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), kJanitorNice);
  auto next_tidy = std::chrono::steady_clock::now() + tidy_interval_;
  std::unique_lock lock(mutex_);
  while (true) {
    const auto woken = [this] { return stopping_ || !queue_.empty(); };
    if (tidy_) {
      wake_.wait_until(lock, next_tidy, woken);
    } else {
      wake_.wait(lock, woken);
    }
    if (queue_.empty() && stopping_) return;
    if (tidy_ && std::chrono::steady_clock::now() >= next_tidy) {
      lock.unlock();  // as below: the file system only without mutex_
      tidy_();
      next_tidy = std::chrono::steady_clock::now() + tidy_interval_;
      lock.lock();
      continue;
    }
    if (queue_.empty()) continue;
    std::filesystem::path next = std::move(queue_.front());
    queue_.pop_front();
    // Never call the file system while holding mutex_: remove() must stay instant.
    lock.unlock();
    removeNow(next);
    lock.lock();
  }
}

}  // namespace sundial::adapters::spool
