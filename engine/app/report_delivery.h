#pragma once
// ReportDelivery: report delivery to sites as one component of the node. Owns the outbox the
// rest of the node queues reports into (outbox()), the listener holder (setDeliveryListener)
// and one ReportSender thread per site with a report endpoint, each with its own Redis
// connection and MLLP client. start()/stop() from the node's main thread; outbox() and
// setDeliveryListener() from any thread.

#include <memory>
#include <string>
#include <vector>

#include "adapters/redis/redis_client.h"
#include "engine/config/config.h"
#include "engine/domain/clock.h"
#include "engine/metrics/metrics.h"
#include "engine/reports/delivery_notifier.h"
#include "engine/reports/durable_report_outbox.h"
#include "engine/reports/report_sender.h"
#include "hl7/mapping/report_message.h"

namespace sundial::app {

// The MSH settings for reports to `site`: our application and facility from `reports:`, the
// site's first configured HL7 sender as receiver (else the site's name as facility), the
// site's version and character set.
hl7::ReportMessageSettings reportMessageSettings(const config::Config& config,
                                                 const config::SiteConfig& site);

class ReportDelivery {
 public:
  ReportDelivery(std::shared_ptr<const config::Config> config,
                 adapters::redis::RedisClientOptions redis, std::string node_name,
                 const Clock& clock, engine::Metrics& metrics, engine::AuditSink& audit);
  ~ReportDelivery();

  // Starts one sender per site with a report endpoint.
  void start();
  // Stops the senders (each finishes the report in hand; one claimed but unsent is
  // reclaimed at the next start).
  void stop();

  engine::DurableReportOutbox& outbox() { return *outbox_; }
  void setDeliveryListener(engine::DeliveryListener listener) {
    notifier_.setListener(std::move(listener));
  }

 private:
  std::shared_ptr<const config::Config> config_;
  adapters::redis::RedisClientOptions redis_;
  std::string node_name_;
  const Clock& clock_;
  engine::Metrics& metrics_;
  engine::AuditSink& audit_;
  engine::DeliveryNotifier notifier_;
  std::unique_ptr<engine::DurableReportOutbox> outbox_;
  std::vector<std::unique_ptr<engine::ReportSender>> senders_;
};

}  // namespace sundial::app
