#include "engine/app/orders_service.h"

#include "adapters/redis/redis_order_store.h"
#include "adapters/redis/redis_state_store.h"

namespace sundial::app {

struct OrdersService::Matching {
  std::unique_ptr<engine::OrderStore> orders;
  std::unique_ptr<engine::StateStore> studies;
  std::unique_ptr<engine::OrderMatcher> matcher;
};

namespace {

// An OrderLookup that owns its stores: what another thread (the dispatcher) is given.
class OwnedLookup final : public engine::OrderLookup {
 public:
  explicit OwnedLookup(std::unique_ptr<OrdersService::Matching>& m) : matching_(std::move(m)) {}
  Result<std::optional<engine::OrderLink>> orderForStudy(const std::string& uid) override {
    return matching_->matcher->orderForStudy(uid);
  }
  Result<void> markUnmatched(const std::string& uid) override {
    return matching_->matcher->markUnmatched(uid);
  }

 private:
  std::unique_ptr<OrdersService::Matching> matching_;
};

}  // namespace

OrdersService::OrdersService(std::shared_ptr<const config::Config> config,
                             adapters::redis::RedisClientOptions redis, const Clock& clock,
                             std::function<std::unique_ptr<engine::EventPublisher>()> make_publisher,
                             std::function<std::unique_ptr<engine::Hl7Inbox>()> make_inbox)
    : config_(std::move(config)),
      redis_(std::move(redis)),
      clock_(clock),
      make_publisher_(std::move(make_publisher)),
      make_inbox_(std::move(make_inbox)) {}

OrdersService::~OrdersService() { stop(); }

std::unique_ptr<OrdersService::Matching> OrdersService::makeMatching() {
  auto m = std::make_unique<Matching>();
  m->orders = std::make_unique<adapters::redis::RedisOrderStore>(redis_, config_->redis.key_prefix);
  m->studies = std::make_unique<adapters::redis::RedisStateStore>(redis_, config_->redis.key_prefix);
  m->matcher = std::make_unique<engine::OrderMatcher>(*m->orders, *m->studies, clock_,
                                                      config_->matching);
  for (engine::OrderListener* listener : listeners_) m->matcher->addListener(*listener);
  return m;
}

void OrdersService::addListener(engine::OrderListener& listener) {
  listeners_.push_back(&listener);
  if (api_) api_->addListener(listener);
}

void OrdersService::registerReportHandler(engine::ReportHandler handler) {
  report_handler_ = handler;
  if (processor_) processor_->registerReportHandler(std::move(handler));
}

void OrdersService::installApi(adapters::http::HttpServer& server) {
  api_ = std::make_unique<OrdersApi>(
      std::make_unique<adapters::redis::RedisOrderStore>(redis_, config_->redis.key_prefix),
      std::make_unique<adapters::redis::RedisStateStore>(redis_, config_->redis.key_prefix),
      clock_, config_->matching);
  for (engine::OrderListener* listener : listeners_) api_->addListener(*listener);
  api_->install(server);
}

std::unique_ptr<engine::OrderLookup> OrdersService::makeLookup() {
  auto matching = makeMatching();
  return std::make_unique<OwnedLookup>(matching);
}

void OrdersService::start(const std::string& consumer) {
  if (processor_) return;
  processor_matching_ = makeMatching();
  if (make_inbox_) inbox_ = make_inbox_();
  engine::InboxProcessorOptions options;
  options.consumer = consumer;
  processor_ = std::make_unique<engine::InboxProcessor>(
      inbox_.get(), *processor_matching_->matcher, *processor_matching_->studies,
      make_publisher_, clock_, options);
  if (report_handler_) processor_->registerReportHandler(report_handler_);
  processor_->start();
}

void OrdersService::stop() {
  if (processor_) processor_->stop();
  processor_.reset();
  inbox_.reset();
  processor_matching_.reset();
}

}  // namespace sundial::app
