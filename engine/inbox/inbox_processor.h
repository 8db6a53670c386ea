#pragma once
// InboxProcessor: the thread that turns stored HL7 messages into engine changes. It takes
// messages from the Hl7Inbox, maps them (hl7/mapping) and applies them: orders, demographics
// and merges through the OrderMatcher; reports to the handler the worklist registers. Each
// applied change is then published on the bus (OrderReceived, PatientUpdated,
// PatientsMerged, ReportReceived).
//
// Nothing is lost: a message is finished only once its change is stored; a transient
// failure (Redis down, a listener asking to retry) keeps it and tries again after a pause;
// a message that cannot be mapped or applied as it is gets rejected with the reason; an ORU
// that arrives before a report handler is registered stays unfinished on the inbox.
//
// The same thread also keeps matching going when no dispatcher asks: it looks at studies
// that completed (StateStore::listStudies) and asks the matcher for their order, and it
// moves studies unmatched for matching.unmatched_after to the exception list.
//
// Everything it is given (inbox, matcher and their stores) is used on its thread only, from
// start() to stop(); registerReportHandler may be called from any thread.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/bus/event_bus.h"
#include "engine/domain/clock.h"
#include "engine/domain/report.h"
#include "engine/orders/order_matcher.h"
#include "engine/store/hl7_inbox.h"
#include "engine/store/state_store.h"

namespace sundial::engine {

using ReportHandler = std::function<Result<void>(const Report&, const InboxMessage&)>;

struct InboxProcessorOptions {
  std::string consumer = "sundial";           // unique per node (the inbox's consumer name)
  size_t batch = 32;                           // messages taken at once
  std::chrono::milliseconds wait{200};         // how long take() waits for a message
  std::chrono::milliseconds retry_after{1000}; // pause after a transient failure
  std::chrono::milliseconds sweep_every{1000}; // completed studies and the exception list
  int studies_per_sweep = 200;                 // most recently active studies looked at
};

// What became of one message.
enum class InboxOutcome { Finished, Rejected, Retry, Held };

class InboxProcessor {
 public:
  // `make_publisher` is called on the processor's thread (a publisher belongs to one
  // thread); it may return nullptr (no bus).
  // `inbox` may be null (HL7 disabled): then only the matching sweeps run.
  InboxProcessor(Hl7Inbox* inbox, OrderMatcher& matcher, StateStore& studies,
                 std::function<std::unique_ptr<EventPublisher>()> make_publisher,
                 const Clock& clock, InboxProcessorOptions options = {});
  ~InboxProcessor();
  InboxProcessor(const InboxProcessor&) = delete;
  InboxProcessor& operator=(const InboxProcessor&) = delete;

  // Reports (ORU^R01) go to `handler` from now on; held ones are handed over on the next
  // round. Any thread.
  void registerReportHandler(ReportHandler handler);

  void start();
  // Returns once the thread has finished its current message and ended.
  void stop();

  // One round on the caller's thread (tests; the thread runs rounds until stopped):
  // unfinished messages again, then new ones, then the sweep when it is due.
  void runOnce();
  // One message (tests).
  InboxOutcome process(const InboxMessage& message);
  size_t unfinishedForTest() const { return unfinished_.size(); }

 private:
  InboxOutcome apply(const InboxMessage& message);
  InboxOutcome settle(const InboxMessage& message, Result<void> applied);
  InboxOutcome reject(const InboxMessage& message, const std::string& reason);
  void publish(const Event& event);
  void sweep();
  void matchCompletedStudies();
  ReportHandler reportHandler() const;

  Hl7Inbox* inbox_;
  OrderMatcher& matcher_;
  StateStore& studies_;
  std::function<std::unique_ptr<EventPublisher>()> make_publisher_;
  std::unique_ptr<EventPublisher> publisher_;
  const Clock& clock_;
  InboxProcessorOptions options_;

  mutable std::mutex handler_mutex_;  // guards report_handler_
  ReportHandler report_handler_;

  // Taken but not finished (retry or held), by inbox id: tried again each round, and not
  // taken twice when the inbox hands them out again.
  std::map<std::string, InboxMessage> unfinished_;
  std::map<std::string, long long> studies_seen_;  // study uid -> completed ms handled
  SteadyTime next_sweep_{};
  SteadyTime retry_not_before_{};

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sundial::engine
