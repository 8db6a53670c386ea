#pragma once
// StorageReceiver: the DICOM storage SCP. Accepts associations from configured callers,
// receives each C-STORE straight into a temporary spool file, commits it, publishes
// InstanceSpooled and only then answers success (STYLE.md §9 "Receiving an instance").
//
// Threads: start() and stop() from one owning thread. DCMTK's pool runs a listener thread
// and one thread per association (at most max_associations); the policy, the accepting
// flag, the publisher factory, the spool, metrics and clock are called from those threads
// and must be thread-safe. Each association makes its own publisher with the factory, uses
// it only on its own thread and destroys it there when the association ends.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "adapters/dicom/dicom_tls_files.h"
#include "adapters/dicom/receive_site_guard.h"
#include "engine/bus/event_bus.h"
#include "engine/config/config.h"
#include "engine/domain/clock.h"
#include "engine/domain/result.h"
#include "engine/metrics/metrics.h"
#include "engine/store/spool.h"

namespace sundial::adapters::dicom {

// The site a caller belongs to, or nullopt with a reason for people in `reason`.
using CallerPolicy = std::function<std::optional<std::string>(
    const std::string& calling_ae, const std::string& peer_ip, const std::string& called_ae,
    std::string& reason)>;

// Makes the bus publisher for one association thread.
using PublisherFactory = std::function<std::unique_ptr<engine::EventPublisher>()>;

// Whether new work may be taken now (false while Redis is down, say). Called for each
// association request and each C-STORE; must be cheap.
using AcceptingWork = std::function<bool()>;

// Reads an atomic flag owned by the caller (which must outlive the receiver).
AcceptingWork acceptingWhile(const std::atomic<bool>& flag);

struct ReceiverSettings {
  std::string ae_title = "SUNDIAL";
  std::uint16_t port = 11112;
  int max_associations = 64;             // concurrent associations (one thread each)
  std::uint32_t max_pdu_bytes = 131072;  // offered to senders; DCMTK's largest
  std::chrono::milliseconds dimse_timeout{30000};
  // How long a connected peer may take to send its association request. The listener reads
  // requests one at a time, so this bounds how long a silent peer delays the others.
  std::chrono::milliseconds association_request_timeout{10000};
  // How long stop() lets running associations finish before it cuts their connections.
  std::chrono::milliseconds stop_grace{10000};
  // Start writing each instance to disk while it is still arriving, so that the spool's
  // fsync before the answer waits only for its tail. Worth it when the spool fsyncs.
  bool early_writeback = true;
  // DICOM over TLS on this port (security.dicom_tls): plain connections fail the handshake.
  std::optional<DicomTlsFiles> tls;
  // Per-site TLS, certificate and limit checks (security part); shared by the plain and the
  // TLS listener. Null: none.
  std::shared_ptr<SiteGuard> site_guard;

  // From the node configuration. The receive PDU is never below DCMTK's largest (128 KiB):
  // a large PDU costs nothing and halves the PDUs of a big image; the configured
  // max_pdu_bytes only applies when larger (DCMTK clamps to 128 KiB).
  static ReceiverSettings fromNode(const config::NodeConfig& node);
};

class StorageReceiver {
 public:
  // Sets TCP_NODELAY=1 in the environment unless it already is "1" (DCMTK 3.6.7 leaves
  // Nagle on otherwise, ~40 ms per C-STORE response) and turns off reverse DNS lookups of
  // callers (peer addresses stay IPs, as the caller policy expects). Both are process-wide.
  StorageReceiver(ReceiverSettings settings, CallerPolicy policy, engine::Spool& spool,
                  PublisherFactory publishers, AcceptingWork accepting,
                  engine::Metrics& metrics, const Clock& clock);
  ~StorageReceiver();  // stop()s

  StorageReceiver(const StorageReceiver&) = delete;
  StorageReceiver& operator=(const StorageReceiver&) = delete;

  // Opens the port (all interfaces: DCMTK 3.6.7 cannot bind one address) and starts
  // accepting in a background thread. Returns once the port is listening, or the reason it
  // cannot be (Unavailable: port in use; Internal: no DICOM dictionary).
  Result<void> start();

  // Stops accepting, lets running associations end (cutting them after stop_grace), joins.
  // Idempotent.
  void stop();

  bool running() const;
  const ReceiverSettings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sundial::adapters::dicom
