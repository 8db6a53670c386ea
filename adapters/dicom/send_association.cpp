#include "adapters/dicom/send_association.h"

#include <algorithm>
#include <cstring>

#include "adapters/dicom/dicom_socket.h"
#include "adapters/dicom/send_store_command.h"
#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmdata/dcdatset.h"
#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmtls/tlslayer.h"
#include "dcmtk/dcmnet/cond.h"
#include "dcmtk/dcmnet/dimse.h"
#include "dcmtk/ofstd/ofstd.h"

namespace sundial::adapters::dicom {
namespace {

// DCMTK timeouts are whole seconds; round up so that a short timeout never becomes "none".
int toSeconds(std::chrono::milliseconds timeout) {
  auto ms = std::max<std::chrono::milliseconds::rep>(timeout.count(), 1);
  return static_cast<int>((ms + 999) / 1000);
}

std::string oneLine(std::string text) {
  for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at)) {
    text.replace(at, 1, ", ");
  }
  return text;
}

const std::string& localHostName() {
  static const std::string name = [] {
    std::string host = OFStandard::getHostName().c_str();
    return host.empty() ? std::string("localhost") : host;
  }();
  return name;
}

// DIMSE_storeUser's progress callback: the data set is out once it reports the end, and the
// response is awaited only after that: the cork must be gone by then.
void releaseCorkWhenSent(void* cork, T_DIMSE_StoreProgress* progress, T_DIMSE_C_StoreRQ*) {
  if (progress != nullptr && progress->state == DIMSE_StoreEnd) {
    static_cast<SocketCork*>(cork)->release();
  }
}

}  // namespace

std::string SendPeer::label() const { return ae_title + "@" + host + ":" + std::to_string(port); }

SendAssociation::SendAssociation(SendPeer peer, SendTimeouts timeouts, std::uint32_t max_pdu_bytes)
    : peer_(std::move(peer)),
      timeouts_(timeouts),
      max_pdu_bytes_(
          std::clamp<std::uint32_t>(max_pdu_bytes, ASC_MINIMUMPDUSIZE, ASC_MAXIMUMPDUSIZE)) {}

SendAssociation::~SendAssociation() {
  release();
  if (network_ != nullptr) ASC_dropNetwork(&network_);
  tls_layer_.reset();  // the network used it: only after the network is gone
}

Result<void> SendAssociation::ensureNetwork() {
  if (network_ != nullptr) return okResult();
  if (peer_.tls && !tls_layer_) {
    auto layer = makeTlsLayer(TlsRole::Requestor, *peer_.tls);
    // A bad certificate needs a configuration change, not a retry in a second.
    if (!layer) return makeError(ErrorCode::Rejected, "DICOM TLS to " + peer_.label() + ": " +
                                                          layer.error().describe());
    tls_layer_ = std::move(layer.value());
  }
  OFCondition cond = ASC_initializeNetwork(NET_REQUESTOR, 0, toSeconds(timeouts_.acse), &network_);
  if (cond.bad()) {
    network_ = nullptr;
    return makeError(ErrorCode::Internal, "cannot initialise the DICOM network layer for " +
                                              peer_.label() + ": " + cond.text());
  }
  if (tls_layer_) {
    cond = ASC_setTransportLayer(network_, tls_layer_.get(), 0);
    if (cond.bad()) {
      ASC_dropNetwork(&network_);
      return makeError(ErrorCode::Internal, "cannot use TLS to " + peer_.label() + ": " + cond.text());
    }
  }
  return okResult();
}

Result<void> SendAssociation::open(const std::vector<ProposedContext>& contexts) {
  if (isOpen()) abort();  // the caller asks for a new one: never leak the old
  if (auto network = ensureNetwork(); !network) return network;

  const std::string operation = "association request to " + peer_.label();
  T_ASC_Parameters* params = nullptr;
  OFCondition cond = ASC_createAssociationParameters(&params, static_cast<long>(max_pdu_bytes_));
  if (cond.bad()) return makeError(ErrorCode::Internal, operation + ": " + cond.text());
  // Parameters belong to the association once ASC_requestAssociation created one.
  auto discard = [&](T_ASC_Association*& association) {
    if (association != nullptr) {
      ASC_destroyAssociation(&association);
    } else if (params != nullptr) {
      ASC_destroyAssociationParameters(&params);
    }
  };

  const std::string called_address = peer_.host + ":" + std::to_string(peer_.port);
  ASC_setAPTitles(params, peer_.our_ae_title.c_str(), peer_.ae_title.c_str(), nullptr);
  if (peer_.tls) ASC_setTransportLayerType(params, OFTrue);
  ASC_setPresentationAddresses(params, localHostName().c_str(), called_address.c_str());

  std::vector<std::string> proposed;
  std::size_t count = std::min(contexts.size(), kMaxPresentationContexts);
  for (std::size_t i = 0; i < count && cond.good(); ++i) {
    const ProposedContext& context = contexts[i];
    std::vector<const char*> syntaxes;
    for (const std::string& syntax : context.transfer_syntax_uids)
      syntaxes.push_back(syntax.c_str());
    auto id = static_cast<T_ASC_PresentationContextID>(2 * i + 1);  // odd ids 1..255
    cond = ASC_addPresentationContext(params, id, context.sop_class_uid.c_str(), syntaxes.data(),
                                      static_cast<int>(syntaxes.size()));
    if (std::find(proposed.begin(), proposed.end(), context.sop_class_uid) == proposed.end()) {
      proposed.push_back(context.sop_class_uid);
    }
  }
  T_ASC_Association* association = nullptr;
  if (cond.bad()) {
    discard(association);
    return makeError(ErrorCode::Internal, operation + ": " + cond.text());
  }

  // A process-wide DCMTK setting; every sender sets it before connecting.
  dcmConnectionTimeout.set(static_cast<Sint32>(toSeconds(timeouts_.connect)));
  cond = ASC_requestAssociation(network_, params, &association);
  if (cond.bad()) {
    Error error;
    if (cond == DUL_ASSOCIATIONREJECTED) {
      T_ASC_RejectParameters reject{};
      ASC_getRejectParameters(params, &reject);
      OFString reason;
      ASC_printRejectParameters(reason, &reject);
      error = makeError(ErrorCode::Rejected,
                        operation + ": rejected by the peer (" + oneLine(reason.c_str()) + ")");
    } else {
      error = makeError(ErrorCode::Unavailable, operation + " failed: " + oneLine(cond.text()));
    }
    discard(association);
    return error;
  }

  association_ = association;
  proposed_sop_classes_ = std::move(proposed);
  accepted_.clear();
  int total = ASC_countPresentationContexts(params);
  for (int i = 0; i < total; ++i) {
    T_ASC_PresentationContext context;
    if (ASC_getPresentationContext(params, i, &context).bad()) continue;
    if (context.resultReason != ASC_P_ACCEPTANCE) continue;
    accepted_.push_back(AcceptedContext{context.presentationContextID, context.abstractSyntax,
                                        context.acceptedTransferSyntax});
  }
  return okResult();
}

bool SendAssociation::wasProposed(const std::string& sop_class_uid) const {
  return std::find(proposed_sop_classes_.begin(), proposed_sop_classes_.end(), sop_class_uid) !=
         proposed_sop_classes_.end();
}

std::uint32_t SendAssociation::maxSendPdvBytes() const {
  return association_ == nullptr ? 0 : static_cast<std::uint32_t>(association_->sendPDVLength);
}

bool SendAssociation::peerSpokeWhileIdle() const {
  return association_ != nullptr && ASC_dataWaiting(association_, 0);
}

Result<StoreResponse> SendAssociation::store(std::uint8_t context_id, DcmDataset& dataset,
                                             const std::string& sop_class_uid,
                                             const std::string& sop_instance_uid) {
  if (association_ == nullptr) {
    return makeError(ErrorCode::Unavailable, "C-STORE to " + peer_.label() + ": no association");
  }
  T_DIMSE_C_StoreRQ request;
  std::memset(&request, 0, sizeof request);
  request.MessageID = association_->nextMsgID++;
  OFStandard::strlcpy(request.AffectedSOPClassUID, sop_class_uid.c_str(),
                      sizeof request.AffectedSOPClassUID);
  OFStandard::strlcpy(request.AffectedSOPInstanceUID, sop_instance_uid.c_str(),
                      sizeof request.AffectedSOPInstanceUID);
  request.DataSetType = DIMSE_DATASET_PRESENT;
  request.Priority = DIMSE_PRIORITY_MEDIUM;

  T_DIMSE_C_StoreRSP response;
  std::memset(&response, 0, sizeof response);
  DcmDataset* status_detail = nullptr;
  // Non-blocking so that the DIMSE timeout bounds the wait for the response. Corked while the
  // command and data set go out (see SocketCork), released before the response is awaited.
  SocketCork cork(association_);
  OFCondition cond = DIMSE_storeUser(association_, context_id, &request, nullptr, &dataset,
                                     releaseCorkWhenSent, &cork, DIMSE_NONBLOCKING,
                                     toSeconds(timeouts_.dimse), &response, &status_detail);
  cork.release();
  delete status_detail;
  last_store_timed_out_ = cond == DIMSE_NODATAAVAILABLE;
  if (cond.bad()) {
    // Part of a message may be on the wire: the association cannot carry another one.
    std::string what =
        last_store_timed_out_ ? "no response within the DIMSE timeout" : oneLine(cond.text());
    abort();
    return makeError(ErrorCode::Unavailable,
                     "C-STORE to " + peer_.label() + " failed, association lost: " + what);
  }
  return StoreResponse{response.DimseStatus};
}

bool SendAssociation::canStreamFiles() const {
  if (association_ == nullptr || association_->sendPDVLength == 0) return false;
  const long peer_max_pdu = association_->params->theirMaxPDUReceiveSize;
  // A PDU carries the PDV payload plus 6 bytes (PDV item length, context ID, control header).
  return peer_max_pdu <= 0 ||
         association_->sendPDVLength + 6 <= static_cast<unsigned long>(peer_max_pdu);
}

Result<StoreResponse> SendAssociation::storeFile(std::uint8_t context_id, int fd,
                                                 const FileMetaInfo& meta) {
  const std::string operation = "C-STORE to " + peer_.label();
  if (association_ == nullptr) return makeError(ErrorCode::Unavailable, operation + ": no association");
  last_store_timed_out_ = false;
  const std::uint16_t message_id = association_->nextMsgID++;
  StreamedStoreRequest request;
  request.context_id = context_id;
  request.command = encodeCStoreRequest(
      CStoreRequest{message_id, meta.sop_class_uid, meta.sop_instance_uid, kPriorityMedium});
  request.fd = fd;
  request.data_set_offset = meta.data_set_offset;
  request.data_set_length = meta.data_set_length;
  request.max_pdv_bytes = static_cast<std::uint32_t>(association_->sendPDVLength);

  Result<void> sent = okResult();
  {
    // Corked while the message goes out (see SocketCork), released before the response.
    SocketCork cork(association_);
    sent = streamer_.send(association_, request);
  }
  if (!sent) {
    const Error& error = sent.error();
    if (!streamer_.messageStarted()) return makeError(error.code, operation + ": " + error.message);
    // Part of the message is on the wire: the association cannot carry another one.
    abort();
    if (error.code == ErrorCode::InvalidInput) {
      return makeError(ErrorCode::InvalidInput,
                       operation + ": " + error.message + " (association aborted mid-message)");
    }
    return makeError(ErrorCode::Unavailable,
                     operation + " failed, association lost: " + error.message);
  }
  return awaitStoreResponse(message_id);
}

Result<StoreResponse> SendAssociation::awaitStoreResponse(std::uint16_t message_id) {
  T_ASC_PresentationContextID presentation_id = 0;
  T_DIMSE_Message response;
  std::memset(&response, 0, sizeof response);
  DcmDataset* status_detail = nullptr;
  OFCondition cond = DIMSE_receiveCommand(association_, DIMSE_NONBLOCKING,
                                          toSeconds(timeouts_.dimse), &presentation_id, &response,
                                          &status_detail);
  delete status_detail;
  last_store_timed_out_ = cond == DIMSE_NODATAAVAILABLE;
  std::string what;
  if (cond.bad()) {
    what = last_store_timed_out_ ? "no response within the DIMSE timeout" : oneLine(cond.text());
  } else if (response.CommandField != DIMSE_C_STORE_RSP) {
    what = "the peer answered with another command than a C-STORE-RSP";
  } else if (response.msg.CStoreRSP.MessageIDBeingRespondedTo != message_id) {
    what = "the response answers message ID " +
           std::to_string(response.msg.CStoreRSP.MessageIDBeingRespondedTo) + ", not ours (" +
           std::to_string(message_id) + ")";
  }
  if (!what.empty()) {
    abort();
    return makeError(ErrorCode::Unavailable,
                     "C-STORE to " + peer_.label() + " failed, association lost: " + what);
  }
  return StoreResponse{response.msg.CStoreRSP.DimseStatus};
}

void SendAssociation::release() {
  if (association_ == nullptr) return;
  if (ASC_releaseAssociation(association_).bad()) ASC_abortAssociation(association_);
  destroyAssociation();
}

void SendAssociation::abort() {
  if (association_ == nullptr) return;
  ASC_abortAssociation(association_);
  destroyAssociation();
}

void SendAssociation::destroyAssociation() {
  ASC_destroyAssociation(&association_);
  association_ = nullptr;
  accepted_.clear();
  proposed_sop_classes_.clear();
}

}  // namespace sundial::adapters::dicom
