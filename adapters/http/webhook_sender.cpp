#include "adapters/http/webhook_sender.h"

// Boost 1.74's Asio needs <utility> first under GCC 12 in C++20 mode (see http_server.cpp).
// clang-format off
#include <utility>
// clang-format on

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::adapters::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view kScheme = "http://";

}  // namespace

Result<WebhookUrl> parseWebhookUrl(const std::string& url) {
  if (url.rfind(kScheme, 0) != 0) {
    return makeError(ErrorCode::InvalidInput, "webhook url must start with http://", url);
  }
  std::string rest = url.substr(kScheme.size());
  WebhookUrl out;
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  std::size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = "80";
  }
  if (out.host.empty() || out.port.empty() ||
      out.port.find_first_not_of("0123456789") != std::string::npos) {
    return makeError(ErrorCode::InvalidInput, "webhook url has no usable host and port", url);
  }
  return out;
}

WebhookSender::WebhookSender(WebhookOptions options) : options_(std::move(options)) {}

WebhookSender::~WebhookSender() { stop(); }

Result<void> WebhookSender::start() {
  auto url = parseWebhookUrl(options_.url);
  if (!url) return url.error();
  url_ = url.value();
  thread_ = std::thread([this] {
    nameThisThread("webhooks");
    run();
  });
  return okResult();
}

void WebhookSender::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    if (!queue_.empty()) {
      log::warn("webhook_dropped_at_stop", {{"count", std::to_string(queue_.size())}});
    }
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::post(std::string json_body) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= options_.max_queued) {
      queue_.pop_front();
      log::warn("webhook_dropped", {{"reason", "queue full"}, {"url", options_.url}});
    }
    queue_.push_back(std::move(json_body));
  }
  wake_.notify_one();
}

std::size_t WebhookSender::delivered() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

std::size_t WebhookSender::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}

void WebhookSender::run() {
  while (true) {
    std::string body;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      body = std::move(queue_.front());
      queue_.pop_front();
    }
    auto backoff = options_.initial_backoff;
    bool sent = false;
    std::string last_error;
    for (int attempt = 1; attempt <= options_.max_attempts && !sent; ++attempt) {
      auto status = sendOnce(body);
      if (status && status.value() >= 200 && status.value() < 300) {
        sent = true;
        break;
      }
      last_error = status ? "HTTP " + std::to_string(status.value()) : status.error().message;
      if (attempt == options_.max_attempts) break;
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) return;
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
    std::lock_guard lock(mutex_);
    if (sent) {
      ++delivered_;
    } else {
      ++failed_;
      log::error("webhook_failed", {{"url", options_.url},
                                    {"attempts", std::to_string(options_.max_attempts)},
                                    {"reason", last_error}});
    }
  }
}

Result<int> WebhookSender::sendOnce(const std::string& body) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    tcp::resolver resolver(io);
    stream.expires_after(options_.timeout);
    auto endpoints = resolver.resolve(url_.host, url_.port);
    stream.connect(endpoints);
    bhttp::request<bhttp::string_body> request{bhttp::verb::post, url_.target, 11};
    request.set(bhttp::field::host, url_.host);
    request.set(bhttp::field::content_type, "application/json");
    request.set(bhttp::field::user_agent, "sundial");
    request.body() = body;
    request.prepare_payload();
    stream.expires_after(options_.timeout);
    bhttp::write(stream, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(stream, buffer, response);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return static_cast<int>(response.result_int());
  } catch (const std::exception& e) {
    return makeError(ErrorCode::Unavailable, e.what(), options_.url);
  }
}

}  // namespace sundial::adapters::http
