#pragma once
// SendAssociation: one requestor association to one destination, the DCMTK part of the
// forwarding SCU (association request, accepted contexts, C-STORE, release). Owned by one
// DicomInstanceSender, so by one forward worker thread; not thread-safe.
//
// Internal to adapters/dicom: DCMTK types stay behind forward declarations.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/dicom/dicom_file_meta.h"
#include "adapters/dicom/dicom_tls.h"
#include "adapters/dicom/send_file_streamer.h"
#include "adapters/dicom/send_context_plan.h"
#include "adapters/dicom/send_instance_sender.h"
#include "engine/domain/result.h"

struct T_ASC_Network;
struct T_ASC_Association;
class DcmDataset;

namespace sundial::adapters::dicom {

struct SendPeer {
  std::string our_ae_title;
  std::string ae_title;
  std::string host;
  std::uint16_t port = 0;
  std::optional<DicomTlsFiles> tls;  // DICOM over TLS to this destination

  std::string label() const;  // "AE@host:port", the peer's name in every message
};

struct AcceptedContext {
  std::uint8_t id = 0;
  std::string sop_class_uid;
  std::string transfer_syntax_uid;
};

struct StoreResponse {
  std::uint16_t status = 0;
};

class SendAssociation {
 public:
  SendAssociation(SendPeer peer, SendTimeouts timeouts, std::uint32_t max_pdu_bytes);
  ~SendAssociation();  // releases an open association (bounded by the ACSE timeout)
  SendAssociation(const SendAssociation&) = delete;
  SendAssociation& operator=(const SendAssociation&) = delete;

  // Requests an association proposing `contexts` (at most kMaxPresentationContexts).
  // Unavailable: no connection, timeout, aborted. Rejected: the peer rejected the request;
  // the message carries the peer's result, source and reason.
  Result<void> open(const std::vector<ProposedContext>& contexts);

  bool isOpen() const { return association_ != nullptr; }
  const SendPeer& peer() const { return peer_; }
  const std::vector<AcceptedContext>& accepted() const { return accepted_; }
  std::size_t proposedCount() const { return proposed_sop_classes_.size(); }
  bool wasProposed(const std::string& sop_class_uid) const;
  std::uint32_t maxSendPdvBytes() const;

  // An idle association should have nothing to read. If it has, the peer sent an A-RELEASE
  // or A-ABORT (or closed the connection) while we were idle: the association is unusable.
  bool peerSpokeWhileIdle() const;

  // C-STORE of `dataset` on accepted context `context_id`. A transport or DIMSE failure
  // (peer gone, aborted, no response within the DIMSE timeout) aborts and closes the
  // association and returns Unavailable; a response of any status is a success here.
  Result<StoreResponse> store(std::uint8_t context_id, DcmDataset& dataset,
                              const std::string& sop_class_uid,
                              const std::string& sop_instance_uid);

  // Whether storeFile() can be used: the send PDV length fits the peer's maximum PDU (DCMTK
  // raises it past a peer's absurdly small maximum and lets its upper layer split PDVs).
  bool canStreamFiles() const;

  // The same C-STORE with the data set copied byte for byte from the open file `fd` (the range
  // `meta` gives), never parsed: the accepted context's transfer syntax must be the file's own.
  // Command UIDs from `meta`. Errors as store(); an unreadable or shrinking file is
  // InvalidInput (the association is aborted if part of the message went out).
  Result<StoreResponse> storeFile(std::uint8_t context_id, int fd, const FileMetaInfo& meta);

  // Whether the last failed store() was the peer not answering within the DIMSE timeout
  // (a slow peer, not worth an immediate second try) rather than a lost connection.
  bool lastStoreTimedOut() const { return last_store_timed_out_; }

  void release();  // A-RELEASE; falls back to A-ABORT if the peer does not answer
  void abort();    // A-ABORT

 private:
  Result<void> ensureNetwork();
  // Waits (DIMSE timeout) for the C-STORE-RSP to `message_id`; anything else aborts.
  Result<StoreResponse> awaitStoreResponse(std::uint16_t message_id);
  TlsLayerPtr tls_layer_;  // made with the network; outlives it (declared before... see dtor)
  void destroyAssociation();

  SendPeer peer_;
  SendTimeouts timeouts_;
  std::uint32_t max_pdu_bytes_;
  T_ASC_Network* network_ = nullptr;
  T_ASC_Association* association_ = nullptr;
  std::vector<AcceptedContext> accepted_;
  std::vector<std::string> proposed_sop_classes_;
  bool last_store_timed_out_ = false;
  FileStoreStreamer streamer_;
};

}  // namespace sundial::adapters::dicom
