#pragma once
// Hl7Listener: HL7 ingest as `sundial serve` runs it, wired in one place: the MLLP server
// (hl7/mllp), the ingest service (engine/hl7_ingest) and the group-commit writer storing
// into the Redis HL7 inbox (adapters/redis), publishing Hl7MessageStored on the HL7 bus.
// start() and stop() from the node's main thread.

#include <cstdint>
#include <functional>
#include <memory>

#include "adapters/redis/redis_client.h"
#include "engine/bus/event_bus.h"
#include "engine/config/config.h"
#include "engine/domain/clock.h"
#include "engine/metrics/metrics.h"

namespace sundial::app {

class Hl7Listener {
 public:
  // `publisher` may be null (no HL7 bus). `metrics` and `clock` outlive the listener.
  Hl7Listener(std::shared_ptr<const config::Config> config,
              adapters::redis::RedisClientOptions redis,
              std::unique_ptr<engine::EventPublisher> publisher, engine::Metrics& metrics,
              const Clock& clock);
  ~Hl7Listener();

  // Listens on hl7.bind:hl7.port; the bound port (config port 0: any free one).
  Result<std::uint16_t> start();
  // Stops accepting and closes connections, then stops the writer (queued messages get no
  // ACK, so their senders retry).
  void stop();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace sundial::app
