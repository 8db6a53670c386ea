#pragma once
// ZmqEventBus: the event bus on ZeroMQ PUSH/PULL (PUB/SUB drops silently at its high-water
// mark; these events must not be lost while the process lives). One PULL socket bound by
// the engine thread; any number of PUSH sockets, one per publishing thread.

#include <memory>
#include <string>

#include "engine/bus/event_bus.h"

namespace sundial::adapters::bus {

class ZmqEventBus final : public engine::EventBus {
 public:
  // `endpoint` is e.g. "inproc://sundial-events" (one node) or a tcp:// address.
  explicit ZmqEventBus(std::string endpoint);
  ~ZmqEventBus() override;

  std::unique_ptr<engine::EventPublisher> makePublisher() override;
  // Call once, before any publisher connects (inproc needs the bind first).
  std::unique_ptr<engine::EventSubscriber> makeSubscriber() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sundial::adapters::bus
