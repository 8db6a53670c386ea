#include "adapters/dicom/receive_storage_receiver.h"

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <map>
#include <thread>

#include "adapters/dicom/dicom_tls.h"
#include "adapters/dicom/receive_association.h"
#include "adapters/dicom/receive_context.h"
#include "adapters/dicom/receive_listen_probe.h"
#include "dcmtk/dcmdata/dcdict.h"
#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmnet/dul.h"
#include "dcmtk/dcmtls/tlslayer.h"
#include "dcmtk/oflog/oflog.h"
#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::adapters::dicom {
namespace {

using std::chrono::milliseconds;

// How often the pool's listener wakes to notice stop(): DCMTK's non-blocking accept timeout.
constexpr Uint32 kAcceptPollSeconds = 1;
constexpr milliseconds kStartDeadline{5000};
constexpr milliseconds kStartPoll{10};

Uint32 wholeSeconds(milliseconds duration) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration + milliseconds(999));
  return static_cast<Uint32>(std::max<std::int64_t>(1, seconds.count()));
}

// Process-wide DCMTK switches the receiver needs; see the constructor's comment.
void prepareReceiveProcess() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* nodelay = std::getenv("TCP_NODELAY");
    if (nodelay == nullptr || std::strcmp(nodelay, "1") != 0) ::setenv("TCP_NODELAY", "1", 1);
    // Peer addresses stay numeric: the caller policy matches IPs, and a slow DNS server
    // must not stall the listener.
    dcmDisableGethostbyaddr.set(OFTrue);
    // DCMTK logs every association and C-STORE at INFO on stderr; our structured lines
    // cover those. Keep its warnings and errors.
    OFLog::getLogger("dcmtk.dcmnet").setLogLevel(OFLogger::WARN_LOG_LEVEL);
  });
}

}  // namespace

AcceptingWork acceptingWhile(const std::atomic<bool>& flag) {
  return [&flag] { return flag.load(std::memory_order_relaxed); };
}

ReceiverSettings ReceiverSettings::fromNode(const config::NodeConfig& node) {
  ReceiverSettings settings;
  settings.ae_title = node.ae_title;
  settings.port = node.dicom_port;
  settings.max_associations = node.max_inbound_associations;
  settings.max_pdu_bytes = std::clamp<std::uint32_t>(
      std::max<std::uint32_t>(node.max_pdu_bytes, ASC_MAXIMUMPDUSIZE), ASC_MINIMUMPDUSIZE,
      ASC_MAXIMUMPDUSIZE);
  settings.dimse_timeout = node.dimse_timeout;
  return settings;
}

struct StorageReceiver::Impl {
  Impl(ReceiverSettings settings, CallerPolicy policy, engine::Spool& spool,
       PublisherFactory publishers, AcceptingWork accepting, engine::Metrics& metrics,
       const Clock& clock)
      : context(std::move(settings), std::move(policy), spool, std::move(publishers),
                std::move(accepting), metrics, clock) {}

  // Waits until the listener thread has returned, or `deadline` passes.
  bool waitForListenerEnd(milliseconds deadline) {
    std::unique_lock lock(mutex);
    return ended.wait_for(lock, deadline, [this] { return listener_done; });
  }

  ReceiveContext context;
  TlsLayerPtr tls_layer;  // before pool: outlives it
  std::unique_ptr<ReceivePool> pool;
  std::thread listener;

  std::mutex mutex;  // guards listener_done and listen_result
  std::condition_variable ended;
  bool listener_done = false;
  std::string listen_result;
};

StorageReceiver::StorageReceiver(ReceiverSettings settings, CallerPolicy policy,
                                 engine::Spool& spool, PublisherFactory publishers,
                                 AcceptingWork accepting, engine::Metrics& metrics,
                                 const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(policy), spool,
                                   std::move(publishers), std::move(accepting), metrics,
                                   clock)) {
  prepareReceiveProcess();
}

StorageReceiver::~StorageReceiver() { stop(); }

const ReceiverSettings& StorageReceiver::settings() const { return impl_->context.settings; }

bool StorageReceiver::running() const { return impl_->listener.joinable(); }

Result<void> StorageReceiver::start() {
  Impl& impl = *impl_;
  const ReceiverSettings& settings = impl.context.settings;
  std::string where = "port=" + std::to_string(settings.port) + " ae=" + settings.ae_title;
  if (impl.listener.joinable()) {
    return makeError(ErrorCode::Internal, "the DICOM receiver is already running", where);
  }
  if (!dcmDataDict.isDictionaryLoaded()) {
    return makeError(ErrorCode::Internal,
                     "no DICOM data dictionary loaded (install libdcmtk17 or set DCMDICTPATH)",
                     where);
  }

  impl.context.stopping = false;
  impl.listener_done = false;
  impl.pool = std::make_unique<ReceivePool>(impl.context);
  DcmSCPConfig& config = impl.pool->getConfig();
  config.setAETitle(settings.ae_title.c_str());
  config.setRespondWithCalledAETitle(OFFalse);
  config.setPort(settings.port);
  config.setMaxReceivePDULength(settings.max_pdu_bytes);
  config.setConnectionBlockingMode(DUL_NOBLOCK);
  config.setConnectionTimeout(kAcceptPollSeconds);
  config.setACSETimeout(wholeSeconds(settings.association_request_timeout));
  config.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
  config.setDIMSETimeout(wholeSeconds(settings.dimse_timeout));
  config.setHostLookupEnabled(OFFalse);
  if (settings.tls) {
    auto layer = makeTlsLayer(TlsRole::Acceptor, *settings.tls);
    if (!layer) return makeError(layer.error().code, "DICOM TLS: " + layer.error().message,
                                 layer.error().context);
    impl.tls_layer = std::move(layer.value());
    config.setTransportLayer(impl.tls_layer.get());
  }
  impl.pool->setMaxThreads(
      static_cast<Uint16>(std::clamp(settings.max_associations, 1, 65535)));

  const std::map<std::string, int> already_listening = listeningSockets(settings.port);
  // DCMTK opens its sockets without close-on-exec: a child process (an embedded
  // redis-server, a test's storescu) would keep the port open after we close it.
  auto opened = [&] {
    for (const auto& [inode, fd] : listeningSockets(settings.port)) {
      if (already_listening.count(inode) == 0) {
        setCloseOnExec(fd);
        return true;
      }
    }
    return false;
  };
  impl.listener = std::thread([&impl] {
    nameThisThread("dicom-listen");
    OFCondition result = impl.pool->listen();
    std::lock_guard lock(impl.mutex);
    impl.listener_done = true;
    impl.listen_result = result.good() ? std::string() : std::string(result.text());
    impl.ended.notify_all();
  });

  // DCMTK opens the port inside listen(): wait until it listens, or listen() gives up.
  auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
  while (!opened()) {
    if (impl.waitForListenerEnd(kStartPoll) || std::chrono::steady_clock::now() > deadline) {
      impl.context.stopping = true;
      impl.pool->stopAfterCurrentAssociations();
      impl.listener.join();
      impl.pool.reset();
      std::string why = impl.listen_result.empty() ? "the port did not open in time"
                                                   : impl.listen_result;
      log::error("dicom_receiver_start_failed", {{"port", std::to_string(settings.port)},
                                                 {"error", why}});
      return makeError(ErrorCode::Unavailable, "cannot listen for DICOM: " + why, where);
    }
  }
  log::info("dicom_receiver_started",
            {{"ae_title", settings.ae_title},
             {"port", std::to_string(settings.port)},
             {"tls", settings.tls ? "true" : "false"},
             {"max_associations", std::to_string(settings.max_associations)},
             {"max_pdu_bytes", std::to_string(settings.max_pdu_bytes)}});
  return okResult();
}

void StorageReceiver::stop() {
  Impl& impl = *impl_;
  if (!impl.listener.joinable()) return;
  impl.context.stopping = true;
  impl.pool->stopAfterCurrentAssociations();
  // The listener notices within kAcceptPollSeconds, then joins the running associations.
  milliseconds patience = milliseconds(kAcceptPollSeconds * 1000) + impl.context.settings.stop_grace;
  if (!impl.waitForListenerEnd(patience)) {
    int cut = impl.context.connections.shutdownAll();
    log::warn("dicom_receiver_cut_associations",
              {{"associations", std::to_string(cut)},
               {"grace_ms", std::to_string(impl.context.settings.stop_grace.count())}});
  }
  impl.listener.join();
  impl.pool.reset();
  log::info("dicom_receiver_stopped", {{"port", std::to_string(impl.context.settings.port)}});
}

}  // namespace sundial::adapters::dicom
