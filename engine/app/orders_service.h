#pragma once
// OrdersService: orders and matching wired together for `sundial serve` — the inbox
// processor thread (HL7 in, matching sweeps), the orders API, and order lookups for other
// threads (the dispatcher). Each user gets its own matcher and Redis connections.
//
// Set-up order: addListener() / registerReportHandler(), then installApi(), makeLookup(),
// start(); stop() before the listeners go.

#include <functional>
#include <memory>
#include <vector>

#include "adapters/http/http_server.h"
#include "adapters/redis/redis_client.h"
#include "engine/app/orders_api.h"
#include "engine/bus/event_bus.h"
#include "engine/config/config.h"
#include "engine/inbox/inbox_processor.h"
#include "engine/orders/order_listener.h"
#include "engine/orders/order_lookup.h"
#include "engine/store/hl7_inbox.h"

namespace sundial::app {

class OrdersService {
 public:
  // `make_inbox` is empty when HL7 is off: then the processor only runs the matching sweeps.
  OrdersService(std::shared_ptr<const config::Config> config,
                adapters::redis::RedisClientOptions redis, const Clock& clock,
                std::function<std::unique_ptr<engine::EventPublisher>()> make_publisher,
                std::function<std::unique_ptr<engine::Hl7Inbox>()> make_inbox);
  ~OrdersService();

  void addListener(engine::OrderListener& listener);
  void registerReportHandler(engine::ReportHandler handler);
  void installApi(adapters::http::HttpServer& server);
  // For one other thread (its own Redis connections), told to the listeners like the rest.
  std::unique_ptr<engine::OrderLookup> makeLookup();

  void start(const std::string& consumer);
  void stop();

  struct Matching;  // stores + matcher for one thread (defined in the .cpp)

 private:
  std::unique_ptr<Matching> makeMatching();

  std::shared_ptr<const config::Config> config_;
  adapters::redis::RedisClientOptions redis_;
  const Clock& clock_;
  std::function<std::unique_ptr<engine::EventPublisher>()> make_publisher_;
  std::function<std::unique_ptr<engine::Hl7Inbox>()> make_inbox_;
  std::vector<engine::OrderListener*> listeners_;
  engine::ReportHandler report_handler_;
  std::unique_ptr<OrdersApi> api_;
  std::unique_ptr<Matching> processor_matching_;
  std::unique_ptr<engine::Hl7Inbox> inbox_;
  std::unique_ptr<engine::InboxProcessor> processor_;
};

}  // namespace sundial::app
