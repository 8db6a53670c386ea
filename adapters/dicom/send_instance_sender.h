#pragma once
// DicomInstanceSender: the forwarding C-STORE SCU (engine::InstanceSender over DCMTK). Owns
// one association to one destination and keeps it open between jobs; re-opens it when it
// is lost, or when a job needs a SOP class the open association did not propose. One per
// forward worker thread; not thread-safe.
//
// Per job: only the spool file's meta information is read first. An instance whose own
// transfer syntax was accepted is streamed: its data set bytes go from the file to the
// peer unparsed (send_file_streamer). Otherwise DCMTK loads it and re-encodes it (explicit
// <-> implicit VR little endian, values still streamed from disk) or converts it (JPEG,
// JPEG-LS, RLE decoded) to the uncompressed syntax the destination accepted.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/dicom/send_context_plan.h"
#include "adapters/dicom/dicom_tls_files.h"
#include "engine/config/config.h"
#include "engine/forward/instance_sender.h"

namespace sundial::adapters::dicom {

struct SendTimeouts {
  std::chrono::milliseconds connect{10000};  // TCP connect to the destination
  std::chrono::milliseconds acse{30000};     // association request and release
  std::chrono::milliseconds dimse{30000};    // waiting for each C-STORE response
};

// All three from the node's DIMSE timeout.
SendTimeouts sendTimeoutsFrom(const config::NodeConfig& node);

class SendAssociation;

// How this sender's C-STOREs went out (which path is observable, for tests and logs).
struct SendPathCounts {
  int streamed = 0;       // data set bytes copied from the spool file, never parsed
  int through_dcmtk = 0;  // loaded by DCMTK: re-encoded or converted
};

class DicomInstanceSender final : public engine::InstanceSender {
 public:
  // `max_pdu_bytes` is the largest PDU we receive (clamped to DICOM's 4 KiB..128 KiB); what
  // we send is bounded by the destination's own maximum.
  DicomInstanceSender(std::string our_ae_title, config::DestinationConfig destination,
                      SendTimeouts timeouts, std::uint32_t max_pdu_bytes);
  // From the node configuration: our AE title, DIMSE timeout and maximum PDU.
  DicomInstanceSender(const config::NodeConfig& node, config::DestinationConfig destination);
  // The same over DICOM TLS (security.dicom_tls.destinations).
  DicomInstanceSender(const config::NodeConfig& node, config::DestinationConfig destination,
                      std::optional<DicomTlsFiles> tls);
  ~DicomInstanceSender() override;  // releases the association
  DicomInstanceSender(const DicomInstanceSender&) = delete;
  DicomInstanceSender& operator=(const DicomInstanceSender&) = delete;

  // Remembers the (SOP class, transfer syntax) pairs of the coming jobs; the next association
  // opened proposes contexts for them (and for what earlier associations carried), up to 128.
  void prepare(const std::vector<engine::ForwardJob>& upcoming) override;

  // See engine::InstanceSender for the error codes. Warning statuses (0xB000, 0xB006,
  // 0xB007) are successes. Every error message names the destination (AE@host:port).
  Result<void> send(const engine::ForwardJob& job) override;

  void release() override;

  // How many associations this sender has opened so far (association reuse is observable).
  int associationsOpened() const { return associations_opened_; }
  bool associationOpen() const;
  const SendPathCounts& sendPathCounts() const { return send_path_counts_; }

 private:
  Result<void> sendOnce(const engine::ForwardJob& job, bool may_reopen);
  Result<void> openAssociation(const SendSyntaxNeed& need, const engine::ForwardJob& job);
  std::string peerLabel() const;
  std::string errorContext(const engine::ForwardJob& job) const;

  config::DestinationConfig destination_;
  std::unique_ptr<SendAssociation> association_;
  std::vector<SendSyntaxNeed> upcoming_;  // from prepare()
  std::vector<SendSyntaxNeed> carried_;   // what the last association proposed
  int associations_opened_ = 0;
  SendPathCounts send_path_counts_;
};

}  // namespace sundial::adapters::dicom
