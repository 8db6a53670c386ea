#include "adapters/bus/zmq_event_bus.h"

#include <zmq.hpp>

#include "engine/domain/log.h"

namespace sundial::adapters::bus {
namespace {

// No high-water mark: a burst of instances must queue, never be dropped. Memory is bounded
// in practice by the receive rate, and each message is a few hundred bytes.
constexpr int kUnlimitedHwm = 0;

class ZmqPublisher final : public engine::EventPublisher {
 public:
  ZmqPublisher(zmq::context_t& context, const std::string& endpoint)
      : socket_(context, zmq::socket_type::push) {
    socket_.set(zmq::sockopt::sndhwm, kUnlimitedHwm);
    socket_.set(zmq::sockopt::linger, 1000);
    socket_.connect(endpoint);
  }

  Result<void> publish(const Event& event) override {
    try {
      std::string wire = encodeEvent(event);
      auto sent = socket_.send(zmq::buffer(wire), zmq::send_flags::none);
      if (!sent) return makeError(ErrorCode::Unavailable, "event bus would block");
      return okResult();
    } catch (const zmq::error_t& e) {
      return makeError(ErrorCode::Unavailable, std::string("event bus send failed: ") + e.what());
    }
  }

 private:
  zmq::socket_t socket_;
};

class ZmqSubscriber final : public engine::EventSubscriber {
 public:
  ZmqSubscriber(zmq::context_t& context, const std::string& endpoint)
      : socket_(context, zmq::socket_type::pull) {
    socket_.set(zmq::sockopt::rcvhwm, kUnlimitedHwm);
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind(endpoint);
  }

  Result<std::vector<Event>> receive(std::chrono::milliseconds timeout, size_t max) override {
    std::vector<Event> events;
    try {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, timeout);
      if (!(item.revents & ZMQ_POLLIN)) return events;
      zmq::message_t message;
      while (events.size() < max) {
        auto received = socket_.recv(message, zmq::recv_flags::dontwait);
        if (!received) break;  // "would block" is a value, not an error
        auto decoded = decodeEvent(message.to_string_view());
        if (!decoded) {
          log::error("bus_event_dropped", {{"reason", decoded.error().describe()}});
          continue;
        }
        events.push_back(std::move(decoded).value());
      }
      return events;
    } catch (const zmq::error_t& e) {
      return makeError(ErrorCode::Internal, std::string("event bus receive failed: ") + e.what());
    }
  }

 private:
  zmq::socket_t socket_;
};

}  // namespace

struct ZmqEventBus::Impl {
  zmq::context_t context{1};
  std::string endpoint;
};

ZmqEventBus::ZmqEventBus(std::string endpoint) : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = std::move(endpoint);
}

ZmqEventBus::~ZmqEventBus() = default;

std::unique_ptr<engine::EventPublisher> ZmqEventBus::makePublisher() {
  return std::make_unique<ZmqPublisher>(impl_->context, impl_->endpoint);
}

std::unique_ptr<engine::EventSubscriber> ZmqEventBus::makeSubscriber() {
  return std::make_unique<ZmqSubscriber>(impl_->context, impl_->endpoint);
}

}  // namespace sundial::adapters::bus
