#include "engine/app/report_delivery.h"

#include "adapters/redis/redis_report_outbox.h"
#include "engine/app/mllp_report_transport.h"
#include "engine/domain/log.h"

namespace sundial::app {

hl7::ReportMessageSettings reportMessageSettings(const config::Config& config,
                                                 const config::SiteConfig& site) {
  hl7::ReportMessageSettings settings;
  settings.sending_application = config.reports.sending_application;
  settings.sending_facility = config.reports.sending_facility;
  if (!site.hl7.senders.empty()) {
    settings.receiving_application = site.hl7.senders.front().application;
    settings.receiving_facility = site.hl7.senders.front().facility;
  }
  if (settings.receiving_facility.empty()) settings.receiving_facility = site.name;
  settings.version = site.hl7.version;
  settings.charset = site.hl7.charset;
  return settings;
}

ReportDelivery::ReportDelivery(std::shared_ptr<const config::Config> config,
                               adapters::redis::RedisClientOptions redis, std::string node_name,
                               const Clock& clock, engine::Metrics& metrics,
                               engine::AuditSink& audit)
    : config_(std::move(config)),
      redis_(std::move(redis)),
      node_name_(std::move(node_name)),
      clock_(clock),
      metrics_(metrics),
      audit_(audit) {
  const auto retention = std::chrono::duration_cast<std::chrono::seconds>(
      config_->reports.delivered_retention);
  auto builder = [config = config_](const Report& report, const config::SiteConfig& site,
                                    const std::string& control_id, UtcTime now) {
    return hl7::buildReportMessage(report, reportMessageSettings(*config, site), control_id, now);
  };
  outbox_ = std::make_unique<engine::DurableReportOutbox>(
      config_,
      std::make_unique<adapters::redis::RedisReportOutbox>(redis_, config_->redis.key_prefix,
                                                           clock_, retention),
      std::move(builder), clock_, metrics_, audit_,
      static_cast<std::uint64_t>(clock_.utcNow().time_since_epoch().count()));
}

ReportDelivery::~ReportDelivery() { stop(); }

void ReportDelivery::start() {
  const auto seed = static_cast<std::uint64_t>(clock_.utcNow().time_since_epoch().count());
  const auto retention = std::chrono::duration_cast<std::chrono::seconds>(
      config_->reports.delivered_retention);
  for (const config::SiteConfig* site : outbox_->reportingSites()) {
    engine::ReportSenderOptions options;
    options.site = site->name;
    options.worker_id = node_name_ + "-reports-" + site->name;
    options.idle_connection_timeout = config_->reports.idle_connection_timeout;
    options.audit = &audit_;
    hl7::mllp::ClientOptions client;
    client.host = site->reports.host;
    client.port = site->reports.port;
    client.connect_timeout = config_->reports.connect_timeout;
    client.ack_timeout = config_->reports.ack_timeout;
    if (site->reports.tls) {
      client.tls = hl7::mllp::MllpClientTls{site->reports.ca_file.string(),
                                            site->reports.server_name,
                                            site->reports.certificate.string(),
                                            site->reports.private_key.string()};
    }
    engine::RetryPolicy retry(config_->reports.max_attempts, config_->reports.initial_backoff,
                              config_->reports.max_backoff, seed + senders_.size());
    senders_.push_back(std::make_unique<engine::ReportSender>(
        options,
        std::make_unique<adapters::redis::RedisReportOutbox>(redis_, config_->redis.key_prefix,
                                                             clock_, retention),
        std::make_unique<MllpReportTransport>(client), std::move(retry), notifier_, clock_,
        metrics_));
    senders_.back()->start();
    log::info("report_sender_started", {{"site", site->name},
                                        {"host", site->reports.host},
                                        {"port", std::to_string(site->reports.port)},
                                        {"tls", site->reports.tls ? "true" : "false"}});
  }
}

void ReportDelivery::stop() {
  for (auto& sender : senders_) sender->stop();
  senders_.clear();
}

}  // namespace sundial::app
