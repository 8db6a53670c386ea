#include "engine/app/serve_command.h"

#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "adapters/bus/zmq_event_bus.h"
#include "adapters/dicom/receive_caller_policy.h"
#include "adapters/dicom/receive_storage_receiver.h"
#include "adapters/dicom/send_instance_sender.h"
#include "adapters/dicom/send_process_setup.h"
#include "adapters/http/http_server.h"
#include "adapters/redis/embedded_redis.h"
#include "adapters/redis/redis_forward_queue.h"
#include "adapters/redis/redis_hl7_inbox.h"
#include "adapters/redis/redis_state_store.h"
#include "adapters/spool/file_spool.h"
#include "adapters/spool/spool_janitor.h"
#include "engine/app/exit_codes.h"
#include "engine/app/hl7_listener.h"
#include "engine/app/dicom_security.h"
#include "engine/app/http_api.h"
#include "engine/app/report_delivery.h"
#include "engine/app/reports_api.h"
#include "engine/app/orders_service.h"
#include "engine/app/http_security.h"
#include "engine/app/spool_recovery.h"
#include "engine/app/web_page.h"
#include "adapters/syslog/tls_syslog_transport.h"
#include "engine/app/audit_api.h"
#include "engine/app/audit_wiring.h"
#include "engine/audit/anchor.h"
#include "engine/audit/audit_exporter.h"
#include "engine/audit/digest.h"
#include "engine/audit/trail_writer.h"
#include "engine/app/dispatch_node.h"
#include "engine/app/worklist_node.h"
#include "engine/config/config_loader.h"
#include "engine/domain/log.h"
#include "engine/forward/forward_worker.h"
#include "engine/workflow/workflow_loop.h"
#include "engine/domain/thread_name.h"

namespace sundial::app {
namespace {

constexpr const char* kBusEndpoint = "inproc://sundial-events";
constexpr std::chrono::seconds kSupervisionInterval{1};
constexpr std::chrono::seconds kAuditExportDrain{3};

// Blocks the stop signals in every thread (threads inherit the mask), so that only the main
// thread sees them, in waitForStopSignal().
sigset_t blockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);  // reload certificates
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer closing a socket mid-write must be an error on that socket, not the end of us.
  signal(SIGPIPE, SIG_IGN);
  return signals;
}

// Everything one node runs, started in dependency order and stopped in reverse.
class Node {
 public:
  explicit Node(std::shared_ptr<const config::Config> config) : config_(std::move(config)) {}

  Result<void> start();
  void superviseUntil(const sigset_t& stop_signals);
  void stop();

  // Where every component records what happened (the audit trail once startAudit() ran).
  // Pass it as `engine::AuditSink&` to components created after that; it outlives them.
  engine::AuditSink& audit() {
    if (audit_trail_) return *audit_trail_;
    return null_audit_;
  }

  // Report delivery, for the components that queue reports (the worklist): available once
  // start() has passed startReports(). The listener runs on a sender thread.
  engine::ReportOutbox& reportOutbox() { return reports_->outbox(); }
  void setDeliveryListener(engine::DeliveryListener listener) {
    reports_->setDeliveryListener(std::move(listener));
  }

 private:
  Result<void> startAudit();
  Result<void> startAuditExport(const std::filesystem::path& folder);
  Result<void> startRedis();
  adapters::redis::RedisClientOptions redisOptions() const;
  std::string nodeName() const;
  Result<void> startForwarders();
  Result<void> startReports();
  Result<void> startHttp();
  Result<void> startHl7();

  std::shared_ptr<const config::Config> config_;
  SystemClock clock_;
  engine::NullAuditSink null_audit_;
  std::unique_ptr<engine::audit::AuditTrailWriter> audit_trail_;  // stopped last
  std::unique_ptr<engine::audit::AuditExporter> audit_export_;
  std::unique_ptr<AuditApi> audit_api_;
  engine::Metrics metrics_;
  std::atomic<bool> accepting_{true};
  std::atomic<bool> stopping_{false};
  std::string redis_address_;
  std::unique_ptr<adapters::redis::EmbeddedRedis> embedded_redis_;
  std::unique_ptr<adapters::spool::FileSpool> spool_;
  std::unique_ptr<adapters::spool::SpoolJanitor> janitor_;  // spool_ with background removal
  std::unique_ptr<adapters::bus::ZmqEventBus> bus_;
  std::unique_ptr<engine::EventSubscriber> subscriber_;
  std::unique_ptr<adapters::redis::RedisStateStore> store_;
  std::unique_ptr<engine::WorkflowLoop> loop_;
  std::thread loop_thread_;
  std::vector<std::unique_ptr<engine::ForwardWorker>> workers_;
  std::unique_ptr<ReportDelivery> reports_;
  std::unique_ptr<ReportsApi> reports_api_;
  std::unique_ptr<HttpApi> api_;
  std::unique_ptr<OrdersService> orders_;  // HL7 inbox processor, matching, orders API
  std::unique_ptr<WorklistNode> worklist_;
  std::unique_ptr<DispatchNode> dispatch_;  // with a rule folder only
  HttpSecurity http_security_;      // users, sessions, the access gate; outlives http_
  std::unique_ptr<adapters::http::HttpServer> http_;
  std::unique_ptr<adapters::dicom::StorageReceiver> receiver_;
  std::unique_ptr<adapters::dicom::StorageReceiver> tls_receiver_;  // security.dicom_tls.port
  std::unique_ptr<Hl7Listener> hl7_;
};

// The configured node name, else the host name: what this node's keys in Redis are named
// after (its forward queues, workers, inbox consumer), so it must differ between nodes.
std::string resolveNodeName(const config::Config& config) {
  if (!config.node.name.empty()) return config.node.name;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "sundial";
  // Host names may hold characters a Redis key name may not: keep the safe ones.
  std::string name;
  for (const char* c = host; *c; ++c) {
    bool safe = std::isalnum(static_cast<unsigned char>(*c)) || *c == '-' || *c == '_' || *c == '.';
    name += safe ? *c : '_';
  }
  return name;
}

// runServe resolved the name into the configuration.
std::string Node::nodeName() const { return config_->node.name; }

adapters::redis::RedisClientOptions Node::redisOptions() const {
  adapters::redis::RedisClientOptions options;
  options.address = redis_address_;
  return options;
}

Result<void> Node::startRedis() {
  if (!config_->redis.address.empty()) {
    redis_address_ = config_->redis.address;
    return okResult();
  }
  adapters::redis::EmbeddedRedisOptions options;
  options.data_dir = config_->redisDir();
  options.binary = config_->redis.server_binary;
  options.appendfsync = config_->redis.appendfsync;
  embedded_redis_ = std::make_unique<adapters::redis::EmbeddedRedis>(options);
  auto started = embedded_redis_->start();
  if (!started) return started;
  redis_address_ = embedded_redis_->address();
  log::info("redis_embedded_started", {{"address", redis_address_}});
  return okResult();
}

Result<void> Node::startForwarders() {
  std::uint64_t seed = static_cast<std::uint64_t>(clock_.utcNow().time_since_epoch().count());
  for (const config::DestinationConfig& dest : config_->destinations) {
    for (int i = 0; i < dest.max_associations; ++i) {
      engine::ForwardWorkerOptions options;
      options.destination = dest.name;
      options.worker_id = nodeName() + "-" + dest.name + "-" + std::to_string(i);
      options.promotes_retries = i == 0;
      options.keep_forwarded = config_->spool.keep_forwarded;
      options.batch_size = config_->forwarding.batch_size;
      options.idle_association_timeout = config_->forwarding.idle_association_timeout;
      options.audit = &audit();
      auto queue = std::make_unique<adapters::redis::RedisForwardQueue>(
          redisOptions(), config_->redis.key_prefix, clock_, nodeName());
      auto sender = std::make_unique<adapters::dicom::DicomInstanceSender>(
          config_->node, dest, destinationTls(*config_, dest.name));
      engine::RetryPolicy retry(config_->forwarding.max_attempts,
                                config_->forwarding.initial_backoff,
                                config_->forwarding.max_backoff, seed + workers_.size());
      workers_.push_back(std::make_unique<engine::ForwardWorker>(
          options, std::move(queue), std::move(sender), *janitor_, std::move(retry), clock_,
          metrics_));
      workers_.back()->start();
    }
  }
  return okResult();
}

Result<void> Node::startReports() {
  reports_ = std::make_unique<ReportDelivery>(config_, redisOptions(), nodeName(), clock_, metrics_,
                                              audit());
  reports_->start();
  reports_api_ = std::make_unique<ReportsApi>(config_, reports_->outbox(), metrics_);
  return okResult();
}

Result<void> Node::startHttp() {
  auto api_store =
      std::make_unique<adapters::redis::RedisStateStore>(redisOptions(), config_->redis.key_prefix);
  auto api_queue = std::make_unique<adapters::redis::RedisForwardQueue>(
      redisOptions(), config_->redis.key_prefix, clock_);
  api_ = std::make_unique<HttpApi>(config_, std::move(api_store), std::move(api_queue), metrics_,
                                   accepting_);
  http_ = std::make_unique<adapters::http::HttpServer>(config_->node.http_bind,
                                                       config_->node.http_port,
                                                       httpOptionsFor(*config_));
  api_->install(*http_);
  installWebPage(*http_);
  audit_api_ = std::make_unique<AuditApi>(
      config::auditFolder(config_->audit, config_->node.data_dir), audit());
  audit_api_->install(*http_);
  if (reports_api_) reports_api_->install(*http_);
  orders_->installApi(*http_);
  worklist_ = std::make_unique<WorklistNode>(config_, redisOptions(), clock_, metrics_, &audit(),
                                             &reports_->outbox());
  reports_->setDeliveryListener(
      [worklist = worklist_.get()](const engine::ReportDelivery& d) {
        return worklist->reports().onDelivery(d);
      });
  orders_->addListener(worklist_->orderListener());
  orders_->registerReportHandler([worklist = worklist_.get()](const Report& report,
                                                              const engine::InboxMessage&) -> Result<void> {
    auto taken = worklist->reports().fromReportingSystem(report);
    if (!taken) return taken.error();
    return okResult();
  });
  if (!config_->rules.folder.empty()) {
    // The dispatcher: rules decide, tasks are created, images go to the chosen reader.
    dispatch_ = std::make_unique<DispatchNode>(config_, redisOptions(), clock_, metrics_, audit(),
                                               worklist_->tasks(), *janitor_);
    if (auto loaded = dispatch_->load(); !loaded) return loaded;
    orders_->addListener(dispatch_->orderListener());
    worklist_->setRedispatchHook(
        [dispatch = dispatch_.get()](const worklist::Task& task, const std::string& reader) {
          dispatch->redispatch(task, reader);
        });
  }
  worklist_->installRoutes(*http_);
  worklist_->start();
  auto security = installHttpSecurity(*http_, config_, redisOptions(), clock_, audit());
  if (!security) return security.error();
  http_security_ = std::move(security.value());
  auto port = http_->start();
  if (!port) return port.error();
  log::info("http_listening", {{"bind", config_->node.http_bind},
                               {"port", std::to_string(port.value())}});
  return okResult();
}

// Which configuration ran, as the trail states it: the file's SHA-256 ("unreadable" if it
// went away since it was loaded).
std::string configFileDigest(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "unreadable";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return engine::audit::sha256Hex(text);
}

// The exporter reads the trail files (its on-disk queue) on its own thread, so a repository
// that is down never slows record().
Result<void> Node::startAuditExport(const std::filesystem::path& folder) {
  const config::AuditExportConfig& to = config_->audit.export_to;
  adapters::syslog::TlsSyslogOptions tls;
  tls.host = to.host;
  tls.port = to.port;
  tls.ca_file = to.ca_file;
  tls.client_cert_file = to.client_cert_file;
  tls.client_key_file = to.client_key_file;
  tls.server_name = to.server_name;
  engine::audit::AuditExporterOptions options;
  options.folder = folder;
  options.source.audit_source_id = nodeName();
  options.source.enterprise_site_id =
      to.enterprise_site_id.empty() ? nodeName() : to.enterprise_site_id;
  options.source.node_ae_title = config_->node.ae_title;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  options.header.hostname = host;
  options.header.proc_id = std::to_string(::getpid());
  options.initial_backoff = to.initial_backoff;
  options.max_backoff = to.max_backoff;
  audit_export_ = std::make_unique<engine::audit::AuditExporter>(
      options, std::make_unique<adapters::syslog::TlsSyslogTransport>(tls));
  return audit_export_->start();
}

Result<void> Node::startAudit() {
  engine::audit::AuditTrailOptions options;
  options.folder = config::auditFolder(config_->audit, config_->node.data_dir);
  options.max_file_bytes = config_->audit.max_file_bytes;
  options.fsync = config_->audit.fsync;
  options.anchor_interval = config_->audit.anchor_interval;
  std::error_code ec;
  std::filesystem::create_directories(options.folder, ec);
  auto key = engine::audit::loadAnchorKey(
      config::auditKeyFile(config_->audit, config_->node.data_dir), /*create=*/true);
  if (!key) return key.error();
  options.anchor_key = std::move(key.value());
  audit_trail_ = std::make_unique<engine::audit::AuditTrailWriter>(options, clock_);
  if (config_->audit.export_to.enabled()) {
    if (auto exporting = startAuditExport(options.folder); !exporting) return exporting;
    audit_trail_->setBatchWrittenListener([this] { audit_export_->notifyWritten(); });
  }
  if (auto started = audit_trail_->start(); !started) {
    audit_trail_.reset();
    return started;
  }
  engine::AuditRecord loaded;
  loaded.action = "config.loaded";
  loaded.actor = "engine";
  loaded.details = {{"file", config_->source_file.string()},
                    {"sha256", configFileDigest(config_->source_file)},
                    {"sites", std::to_string(config_->sites.size())},
                    {"destinations", std::to_string(config_->destinations.size())}};
  audit().record(std::move(loaded));
  engine::AuditRecord started;
  started.action = "app.start";
  started.actor = "engine";
  started.details = {{"node", nodeName()}, {"ae_title", config_->node.ae_title}};
  audit().record(std::move(started));
  return okResult();
}

Result<void> Node::startHl7() {
  if (!config_->hl7.enabled) return okResult();
  // No Hl7MessageStored publisher yet: the inbox processor wakes in XREADGROUP BLOCK as soon
  // as a message is stored, and events nobody reads would pile up in the bus. A component
  // that wants them binds a subscriber on inproc://sundial-hl7 and passes a publisher here.
  hl7_ = std::make_unique<Hl7Listener>(config_, redisOptions(), nullptr, metrics_, clock_);
  auto port = hl7_->start();
  if (!port) return port.error();
  return okResult();
}

Result<void> Node::start() {
  std::error_code ec;
  std::filesystem::create_directories(config_->node.data_dir, ec);
  if (ec) {
    return makeError(ErrorCode::Rejected, "cannot create the data folder: " + ec.message(),
                     config_->node.data_dir.string());
  }
  // The spool first: its lock refuses a second process on this data folder before that one
  // writes to the audit trail or starts a redis-server on the same files.
  spool_ = std::make_unique<adapters::spool::FileSpool>(
      config_->spoolDir(), config_->spool, metrics_,
      adapters::spool::FileSpool::kFilesReadyAtStart);
  if (auto spool = spool_->start(); !spool) return spool;
  if (auto audit = startAudit(); !audit) return audit;
  if (auto redis = startRedis(); !redis) return redis;

  // Study folders left empty go from the janitor's thread, never on a removal: see FileSpool.
  janitor_ = std::make_unique<adapters::spool::SpoolJanitor>(
      *spool_, [spool = spool_.get()] { spool->removeEmptyStudyFolders(); });
  janitor_->start();
  bus_ = std::make_unique<adapters::bus::ZmqEventBus>(kBusEndpoint);
  subscriber_ = bus_->makeSubscriber();  // bind before any publisher connects

  store_ = std::make_unique<adapters::redis::RedisStateStore>(
      redisOptions(), config_->redis.key_prefix, nodeName());
  if (auto pinged = store_->ping(); !pinged) {
    return makeError(ErrorCode::Unavailable, "Redis does not answer: " + pinged.error().describe(),
                     redis_address_);
  }
  loop_ = std::make_unique<engine::WorkflowLoop>(config_, *store_, *subscriber_, *janitor_, clock_,
                                                 metrics_, accepting_);
  auto config = config_;
  auto recovered = loop_->recover([config](const std::filesystem::path& file) {
    return readSpooledInstance(file, *config);
  });
  if (!recovered) return recovered;
  loop_thread_ = std::thread([this] {
    nameThisThread("workflow");
    loop_->run(stopping_);
  });

  if (auto forwarders = startForwarders(); !forwarders) return forwarders;
  if (auto reports = startReports(); !reports) return reports;
  // Orders and matching: with HL7 on, the processor takes what HL7 ingest stores in the HL7
  // inbox; without, it runs the matching sweeps only.
  std::function<std::unique_ptr<engine::Hl7Inbox>()> make_inbox;
  if (config_->hl7.enabled) {
    make_inbox = [this]() -> std::unique_ptr<engine::Hl7Inbox> {
      return std::make_unique<adapters::redis::RedisHl7Inbox>(
          redisOptions(), config_->redis.key_prefix, clock_);
    };
  }
  orders_ = std::make_unique<OrdersService>(
      config_, redisOptions(), clock_, [this] { return bus_->makePublisher(); }, make_inbox);
  if (auto http = startHttp(); !http) return http;
  if (dispatch_) dispatch_->start(orders_->makeLookup());
  orders_->start(nodeName());
  if (auto hl7 = startHl7(); !hl7) return hl7;

  auto receiver_settings = adapters::dicom::ReceiverSettings::fromNode(config_->node);
  receiver_settings.early_writeback = config_->spool.fsync;
  receiver_settings.site_guard = makeSiteGuard(*config_, clock_);
  receiver_ = std::make_unique<adapters::dicom::StorageReceiver>(
      receiver_settings,
      auditedCallerPolicy(adapters::dicom::makeSiteCallerPolicy(config_), audit()), *spool_,
      auditedPublishers([this] { return bus_->makePublisher(); }, audit()),
      adapters::dicom::acceptingWhile(accepting_),
      metrics_, clock_);
  if (auto listening = receiver_->start(); !listening) return listening;
  if (auto tls = dicomListenerTls(*config_)) {
    receiver_settings.port = config_->security.dicom_tls_port;
    receiver_settings.tls = std::move(tls);
    tls_receiver_ = std::make_unique<adapters::dicom::StorageReceiver>(
        receiver_settings,
        auditedCallerPolicy(adapters::dicom::makeSiteCallerPolicy(config_), audit()), *spool_,
        auditedPublishers([this] { return bus_->makePublisher(); }, audit()),
        adapters::dicom::acceptingWhile(accepting_), metrics_, clock_);
    if (auto listening = tls_receiver_->start(); !listening) return listening;
  }
  log::info("sundial_started", {{"ae_title", config_->node.ae_title},
                                {"dicom_port", std::to_string(config_->node.dicom_port)},
                                {"http_port", std::to_string(config_->node.http_port)},
                                {"data_dir", config_->node.data_dir.string()},
                                {"sites", std::to_string(config_->sites.size())},
                                {"destinations", std::to_string(config_->destinations.size())}});
  return okResult();
}

void Node::superviseUntil(const sigset_t& stop_signals) {
  timespec wait{kSupervisionInterval.count(), 0};
  while (true) {
    int received = sigtimedwait(&stop_signals, nullptr, &wait);
    if (received == SIGTERM || received == SIGINT) {
      log::info("sundial_stopping", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
      return;
    }
    if (received == SIGHUP) {
      log::info("sundial_reloading", {{"what", "certificates"}});
      if (http_) (void)http_->reloadTls();  // a failure is logged; the old pair stays
    }
    if (embedded_redis_) {
      if (auto supervised = embedded_redis_->supervise(); !supervised) {
        log::error("redis_embedded_down", {{"reason", supervised.error().describe()}});
      }
    }
  }
}

// The start-up in reverse: stop taking instances, let the engine record what it has, stop
// forwarding (unsent jobs stay queued), stop the API, then Redis.
void Node::stop() {
  if (hl7_) hl7_->stop();
  if (receiver_) receiver_->stop();
  if (tls_receiver_) tls_receiver_->stop();
  stopping_ = true;
  if (loop_thread_.joinable()) loop_thread_.join();
  if (dispatch_) dispatch_->stop();
  if (orders_) orders_->stop();
  for (auto& worker : workers_) worker->stop();
  if (reports_) reports_->stop();
  if (http_) http_->stop();
  if (worklist_) worklist_->stop();
  workers_.clear();
  if (janitor_) janitor_->stop();
  receiver_.reset();
  hl7_.reset();
  tls_receiver_.reset();
  subscriber_.reset();
  bus_.reset();
  if (embedded_redis_) embedded_redis_->stop();
  if (audit_trail_) {
    engine::AuditRecord stopped;
    stopped.action = "app.stop";
    stopped.actor = "engine";
    stopped.details = {{"node", nodeName()}};
    audit_trail_->record(std::move(stopped));
    audit_trail_->stop();  // writes what is queued and anchors the head
  }
  if (audit_export_) {
    // After the trail: its last records go out too, if the repository takes them quickly.
    if (audit_trail_) audit_export_->waitExported(audit_trail_->head().seq, kAuditExportDrain);
    audit_export_->stop();
  }
  log::info("sundial_stopped");
}

}  // namespace

int runServe(const std::filesystem::path& config_file) {
  // Process-wide DICOM set-up (environment, codecs) before any thread exists.
  adapters::dicom::prepareDicomSendProcess();
  sigset_t stop_signals = blockStopSignals();
  auto loaded = config::loadConfigFile(config_file, std::filesystem::current_path());
  if (!loaded.config) {
    for (const auto& problem : loaded.problems) std::cerr << problem.describe() << "\n";
    std::cerr << "sundial: the configuration has " << loaded.problems.size()
              << " problem(s); nothing was started\n";
    return kExitBadConfig;
  }
  log::setIdentifying(loaded.config->node.identifying_logs);
  auto config = std::make_shared<config::Config>(*loaded.config);
  config->node.name = resolveNodeName(*config);

  Node node(config);
  auto started = node.start();
  if (!started) {
    log::error("sundial_start_failed", {{"reason", started.error().describe()}});
    std::cerr << "sundial: cannot start: " << started.error().describe() << "\n";
    node.stop();
    return kExitStartFailed;
  }
  node.superviseUntil(stop_signals);
  node.stop();
  return kExitOk;
}

}  // namespace sundial::app
