#pragma once
// SLA warnings and breaches as webhook notifications (worklist.webhook): JSON without patient
// identity, handed to a WebhookSender that retries on its own thread, so the SLA timer thread
// never waits on the receiver.

#include "adapters/http/webhook_sender.h"
#include "worklist/sla_timer_loop.h"

namespace sundial::app {

class SlaWebhookNotifier final : public worklist::SlaNotifier {
 public:
  explicit SlaWebhookNotifier(adapters::http::WebhookSender& sender) : sender_(sender) {}
  void notify(const worklist::SlaNotice& notice) override;

 private:
  adapters::http::WebhookSender& sender_;
};

// The notification's body (public for tests).
std::string slaNoticeJson(const worklist::SlaNotice& notice);

}  // namespace sundial::app
