#include "engine/app/hl7_listener.h"

#include <chrono>
#include <optional>

#include "adapters/redis/redis_hl7_inbox.h"
#include "adapters/tls/certificate_check.h"
#include "engine/domain/log.h"
#include "engine/hl7_ingest/group_commit_store.h"
#include "engine/hl7_ingest/hl7_ingest_service.h"
#include "hl7/mllp/server.h"

namespace sundial::app {

struct Hl7Listener::Parts {
  std::shared_ptr<const config::Config> config;
  adapters::redis::RedisClientOptions redis;
  engine::Metrics& metrics;
  const Clock& clock;
  std::unique_ptr<engine::EventPublisher> publisher;
  std::unique_ptr<engine::GroupCommitStore> store;
  std::unique_ptr<engine::Hl7IngestService> service;
  std::unique_ptr<hl7::mllp::Server> server;
};

Hl7Listener::Hl7Listener(std::shared_ptr<const config::Config> config,
                         adapters::redis::RedisClientOptions redis,
                         std::unique_ptr<engine::EventPublisher> publisher,
                         engine::Metrics& metrics, const Clock& clock)
    : parts_(new Parts{std::move(config), std::move(redis), metrics, clock, std::move(publisher),
                       nullptr, nullptr, nullptr}) {}

Hl7Listener::~Hl7Listener() { stop(); }

Result<std::uint16_t> Hl7Listener::start() {
  Parts& p = *parts_;
  const config::Hl7Config& hl7 = p.config->hl7;
  // MLLP over TLS (security.mllp_tls): the certificate is checked before anything starts, so
  // a missing, expired or mismatched file is a clear start-up error and no port opens.
  std::optional<hl7::mllp::MllpServerTls> tls;
  if (const config::TlsFilesConfig& files = p.config->security.mllp_tls; files.enabled()) {
    auto checked = adapters::tls::checkCertificateFiles(files.certificate, files.private_key,
                                                        files.ca_file,
                                                        std::chrono::system_clock::now());
    if (!checked) return checked.error();
    log::info("mllp_tls_certificate_loaded",
              {{"subject", checked->subject},
               {"client_certificates", files.ca_file.empty() ? "not asked" : "required"}});
    tls = hl7::mllp::MllpServerTls{files.certificate.string(), files.private_key.string(),
                                   files.ca_file.string()};
  }
  adapters::redis::Hl7InboxOptions inbox_options;
  inbox_options.duplicate_window = hl7.duplicate_window;
  auto inbox = std::make_unique<adapters::redis::RedisHl7Inbox>(
      p.redis, p.config->redis.key_prefix, p.clock, inbox_options);
  // Say once what "stored" means on this Redis (see redis_hl7_inbox.h).
  if (auto policy = inbox->appendfsyncPolicy(); policy) {
    const bool fsynced = policy.value() == "always";
    log::write(fsynced ? log::Level::Info : log::Level::Warn, "hl7_durability",
               {{"appendfsync", policy.value()},
                {"acked_messages_survive",
                 fsynced ? "crash and power loss"
                         : "crash of sundial or redis; a power loss may lose the last second"}});
  }

  engine::GroupCommitOptions commit;
  commit.store_timeout = hl7.store_timeout;
  p.store = std::make_unique<engine::GroupCommitStore>(std::move(inbox), std::move(p.publisher),
                                                       p.metrics, commit);
  p.store->start();
  p.service = std::make_unique<engine::Hl7IngestService>(
      std::make_shared<engine::SenderDirectory>(p.config->sites), *p.store, p.metrics, p.clock);

  hl7::mllp::ServerOptions options;
  options.address = hl7.bind;
  options.port = hl7.port;
  options.max_message_bytes = hl7.max_message_bytes;
  options.idle_timeout = hl7.idle_timeout;
  options.threads = static_cast<std::size_t>(hl7.io_threads);
  options.max_connections = static_cast<std::size_t>(hl7.max_connections);
  options.tls = std::move(tls);
  p.server = std::make_unique<hl7::mllp::Server>(options, p.service->handler());
  auto port = p.server->start();
  if (!port) return port.error();
  log::info("hl7_listening", {{"bind", hl7.bind},
                              {"port", std::to_string(port.value())},
                              {"tls", options.tls ? "true" : "false"}});
  return port.value();
}

void Hl7Listener::stop() {
  Parts& p = *parts_;
  if (p.server) p.server->stop();
  if (p.store) p.store->stop();
}

}  // namespace sundial::app
