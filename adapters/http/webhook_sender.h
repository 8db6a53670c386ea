#pragma once
// WebhookSender: POSTs JSON notifications to one configured URL (plain HTTP) from its own
// thread, retrying with backoff, so that callers (the SLA timer thread) never wait on the
// receiver. A bounded queue: when the receiver is down for long, the oldest notices are
// dropped, each drop logged. No Boost type appears here.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "engine/domain/result.h"

namespace sundial::adapters::http {

struct WebhookOptions {
  std::string url;  // http://host:port/path
  std::chrono::milliseconds timeout{5000};
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};  // doubles per try, up to max_backoff
  std::chrono::milliseconds max_backoff{30000};
  std::size_t max_queued = 1000;
};

struct WebhookUrl {
  std::string host;
  std::string port;
  std::string target;
};
// InvalidInput for anything but http://host[:port][/path].
Result<WebhookUrl> parseWebhookUrl(const std::string& url);

class WebhookSender {
 public:
  explicit WebhookSender(WebhookOptions options);
  ~WebhookSender();  // stop()s
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  Result<void> start();  // InvalidInput for a bad URL
  // Notices still queued are dropped (logged); the one being sent finishes its try.
  void stop();

  // Queues a JSON body; returns at once. Any thread.
  void post(std::string json_body);

  // For tests and metrics.
  std::size_t delivered() const;
  std::size_t failed() const;  // given up after max_attempts

 private:
  void run();
  Result<int> sendOnce(const std::string& body);  // HTTP status

  WebhookOptions options_;
  WebhookUrl url_;
  mutable std::mutex mutex_;  // guards queue_, stopping_ and the counts
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::size_t delivered_ = 0;
  std::size_t failed_ = 0;
  std::thread thread_;
};

}  // namespace sundial::adapters::http
