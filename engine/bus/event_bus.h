#pragma once
// The event bus: fast notification between components. Not the record: publish only what
// is already in the spool or Redis. Implemented on ZeroMQ in adapters/bus.

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "engine/domain/events.h"
#include "engine/domain/result.h"

namespace sundial::engine {

// Sends events to the engine. One per thread (a ZeroMQ socket belongs to one thread).
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  virtual Result<void> publish(const Event& event) = 0;
};

// The engine's end. Owned by the engine thread.
class EventSubscriber {
 public:
  virtual ~EventSubscriber() = default;
  // Waits up to `timeout` for at least one event, then returns every event available
  // (at most `max`). An empty vector means the timeout passed.
  virtual Result<std::vector<Event>> receive(std::chrono::milliseconds timeout, size_t max) = 0;
};

// Makes publishers for any thread and the one subscriber. Thread-safe.
class EventBus {
 public:
  virtual ~EventBus() = default;
  virtual std::unique_ptr<EventPublisher> makePublisher() = 0;
  virtual std::unique_ptr<EventSubscriber> makeSubscriber() = 0;
};

}  // namespace sundial::engine
