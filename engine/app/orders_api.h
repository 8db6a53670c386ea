#pragma once
// The HTTP endpoints of orders and matching: the exception list (studies without an order),
// linking a study to its order by hand, and looking orders up. Handlers run on the HTTP
// server's io threads; the matcher and the Redis connections behind it belong to this object
// and are used under its lock.

#include <memory>
#include <mutex>

#include "adapters/http/http_server.h"
#include "engine/app/link_request.h"
#include "engine/orders/order_matcher.h"
#include "engine/orders/order_store.h"
#include "engine/store/state_store.h"

namespace sundial::app {

class OrdersApi {
 public:
  OrdersApi(std::unique_ptr<engine::OrderStore> orders, std::unique_ptr<engine::StateStore> studies,
            const Clock& clock, config::MatchingConfig matching);

  // Before install(): told about manual links, like the inbox processor's listeners.
  void addListener(engine::OrderListener& listener);
  void install(adapters::http::HttpServer& server);

  // The handlers (tests call them directly).
  adapters::http::Response exceptions(const adapters::http::Request& request);
  adapters::http::Response link(const adapters::http::Request& request);
  adapters::http::Response orders(const adapters::http::Request& request);

 private:
  std::mutex mutex_;  // guards the stores and the matcher (one Redis connection each)
  std::unique_ptr<engine::OrderStore> orders_;
  std::unique_ptr<engine::StateStore> studies_;
  engine::OrderMatcher matcher_;
};

}  // namespace sundial::app
