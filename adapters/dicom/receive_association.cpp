#include "adapters/dicom/receive_association.h"

#include <exception>
#include <thread>
#include <vector>

#include "adapters/dicom/dicom_socket.h"
#include "adapters/dicom/dicom_status.h"
#include "adapters/dicom/dicom_tls.h"
#include "adapters/dicom/receive_into_file.h"
#include "adapters/dicom/receive_listen_probe.h"
#include "adapters/dicom/receive_negotiation.h"
#include "dcmtk/dcmnet/dimse.h"
#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::adapters::dicom {
namespace {

// Write-back of an arriving instance is started every this many bytes: the spool fsyncs
// each instance before it is acknowledged, and asking the kernel to start writing while the
// rest still arrives overlaps the disk with the network, so fsync only waits for the tail.
// Each start is a round of small I/O submissions, though: at 256 KB, a CT slice (0.5 MB) paid
// two rounds before its fsync, and forwarding at four associations ran 3-9 % slower (router
// CPU +4-8 %) than at 4 MB in alternating runs. At 4 MB, slices are written in one go by the
// fsync, and a 15 MB radiograph still leaves the fsync no more than 4 MB to wait for.
constexpr unsigned long kWritebackStepBytes = 4 * 1024 * 1024;

std::string trimmed(const char* text) {
  std::string value(text == nullptr ? "" : text);
  while (!value.empty() && value.back() == ' ') value.pop_back();
  size_t first = value.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : value.substr(first);
}

// Requestor roles: we act only as storage SCP, so a requestor that wants to be the SCP only
// (C-GET style) is refused.
std::optional<T_ASC_SC_ROLE> acceptedRoleFor(T_ASC_SC_ROLE proposed) {
  switch (proposed) {
    case ASC_SC_ROLE_DEFAULT: return ASC_SC_ROLE_DEFAULT;
    case ASC_SC_ROLE_SCU:
    case ASC_SC_ROLE_SCUSCP: return ASC_SC_ROLE_SCU;
    case ASC_SC_ROLE_NONE: return ASC_SC_ROLE_DEFAULT;
    case ASC_SC_ROLE_SCP: return std::nullopt;
  }
  return std::nullopt;
}

OFCondition internalFailure(const char* text) {
  return makeOFCondition(OFM_dcmnet, 1000, OF_error, text);
}

}  // namespace

StoreScp::StoreScp(ReceiveContext& context) : context_(context) {}

OFCondition StoreScp::serve(T_ASC_Association* association) {
  nameThisThread("dicom-recv");  // a pool thread of DCMTK's, one association at a time
  association_ = association;
  if (int fd = socketOf(association); fd >= 0) {
    setCloseOnExec(fd);
    context_.connections.add(this, fd);
  }
  OFCondition result = run(association);
  context_.connections.remove(this);
  if (admitted_by_guard_) {
    context_.settings.site_guard->release(state_.site);
    admitted_by_guard_ = false;
  }
  if (accepted_) {
    std::string instances = std::to_string(state_.instances);
    std::string bytes = std::to_string(state_.bytes);
    std::string refused = std::to_string(state_.refused);
    log::info("association_ended", {{"calling_ae", state_.calling_ae},
                                    {"site", state_.site},
                                    {"peer", state_.peer_ip},
                                    {"instances", instances},
                                    {"bytes", bytes},
                                    {"refused", refused}});
  }
  // The publisher belongs to this thread: destroy it here, not where the worker is deleted.
  state_.publisher.reset();
  association_ = nullptr;
  return result;
}

void StoreScp::reject(AssociationRejection rejection, const std::string& detail) {
  rejection_ = rejection;
  context_.rejected(rejection).add();
  log::warn("association_rejected", {{"reason", rejectionName(rejection)},
                                     {"calling_ae", state_.calling_ae},
                                     {"peer", state_.peer_ip},
                                     {"called_ae", called_ae_},
                                     {"detail", detail}});
}

void StoreScp::notifyAssociationRequest(const T_ASC_Parameters& params,
                                        DcmSCPActionType& desired_action) {
  try {
    state_.calling_ae = trimmed(params.DULparams.callingAPTitle);
    state_.peer_ip = trimmed(params.DULparams.callingPresentationAddress);
    called_ae_ = trimmed(params.DULparams.calledAPTitle);
    if (called_ae_ != context_.settings.ae_title) {
      reject(AssociationRejection::CalledAe,
             "called AE title is not ours (" + context_.settings.ae_title + ")");
      desired_action = DCMSCP_ACTION_REFUSE_ASSOCIATION;
      return;
    }
    std::string reason;
    std::optional<std::string> site =
        context_.policy(state_.calling_ae, state_.peer_ip, called_ae_, reason);
    if (!site) {
      reject(AssociationRejection::UnknownCaller, reason.empty() ? "unknown caller" : reason);
    } else if (context_.stopping.load()) {
      reject(AssociationRejection::NotAccepting, "the receiver is stopping");
    } else if (!context_.accepting()) {
      reject(AssociationRejection::NotAccepting, "not accepting work: state store unavailable");
    } else if (!admitBySiteGuard(*site)) {
      // rejected, with the reason logged
    } else {
      state_.site = *site;
      state_.instances_received = &context_.instancesReceived(*site);
      state_.bytes_received = &context_.bytesReceived(*site);
    }
  } catch (const std::exception& e) {
    reject(AssociationRejection::Internal, std::string("caller check failed: ") + e.what());
  }
  if (rejection_) desired_action = DCMSCP_ACTION_REFUSE_ASSOCIATION;
}

bool StoreScp::admitBySiteGuard(const std::string& site) {
  if (!context_.settings.site_guard) return true;
  PeerCertificate certificate = peerCertificateOf(association_);
  TlsPeer peer{context_.settings.tls.has_value(), certificate.present, certificate.common_name};
  bool transient = false;
  std::optional<std::string> refused = context_.settings.site_guard->admit(site, peer, transient);
  if (refused) {
    reject(transient ? AssociationRejection::SiteLimit : AssociationRejection::SiteSecurity,
           "site " + site + ": " + *refused);
    return false;
  }
  admitted_by_guard_ = true;
  return true;
}

void StoreScp::refuseAssociation(const DcmRefuseReasonType reason) {
  if (!rejection_) {
    // DCMTK's own refusals: nothing acceptable proposed, bad application context...
    reject(reason == DCMSCP_NO_PRESENTATION_CONTEXTS ? AssociationRejection::NoPresentationContext
                                                     : AssociationRejection::Internal,
           reason == DCMSCP_NO_PRESENTATION_CONTEXTS
               ? "no proposed presentation context is acceptable"
               : "refused during negotiation (code " + std::to_string(reason) + ")");
  }
  T_ASC_RejectParameters parameters{};
  switch (*rejection_) {
    case AssociationRejection::CalledAe:
      parameters = {ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER,
                    ASC_REASON_SU_CALLEDAETITLENOTRECOGNIZED};
      break;
    case AssociationRejection::UnknownCaller:
      parameters = {ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER,
                    ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED};
      break;
    case AssociationRejection::NotAccepting:
    case AssociationRejection::SiteLimit:
      // Transient: the sender keeps its instances and tries again later.
      parameters = {ASC_RESULT_REJECTEDTRANSIENT, ASC_SOURCE_SERVICEPROVIDER_PRESENTATION_RELATED,
                    ASC_REASON_SP_PRES_TEMPORARYCONGESTION};
      break;
    case AssociationRejection::SiteSecurity:
      parameters = {ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER,
                    ASC_REASON_SU_CALLINGAETITLENOTRECOGNIZED};
      break;
    case AssociationRejection::NoPresentationContext:
    case AssociationRejection::Internal:
      parameters = {ASC_RESULT_REJECTEDPERMANENT, ASC_SOURCE_SERVICEUSER, ASC_REASON_SU_NOREASON};
      break;
  }
  OFCondition sent = ASC_rejectAssociation(association_, &parameters);
  if (sent.bad()) {
    log::warn("association_reject_not_sent",
              {{"calling_ae", state_.calling_ae}, {"peer", state_.peer_ip}, {"error", sent.text()}});
  }
}

OFCondition StoreScp::negotiateAssociation() {
  if (association_ == nullptr || association_->params == nullptr) return DIMSE_ILLEGALASSOCIATION;
  T_ASC_Parameters* params = association_->params;
  int count = ASC_countPresentationContexts(params);
  for (int i = 0; i < count; ++i) {
    T_ASC_PresentationContext context{};
    OFCondition read = ASC_getPresentationContext(params, i, &context);
    if (read.bad()) return read;
    OFCondition answered;
    std::optional<T_ASC_SC_ROLE> role = acceptedRoleFor(context.proposedRole);
    if (!isAcceptedAbstractSyntax(context.abstractSyntax)) {
      answered = ASC_refusePresentationContext(params, context.presentationContextID,
                                               ASC_P_ABSTRACTSYNTAXNOTSUPPORTED);
    } else if (!role) {
      answered = ASC_refusePresentationContext(params, context.presentationContextID,
                                               ASC_P_USERREJECTION);
    } else {
      std::vector<std::string> proposed;
      for (unsigned j = 0; j < context.transferSyntaxCount; ++j) {
        proposed.emplace_back(context.proposedTransferSyntaxes[j]);
      }
      std::optional<std::string> chosen = chooseTransferSyntax(proposed);
      answered = chosen ? ASC_acceptPresentationContext(params, context.presentationContextID,
                                                        chosen->c_str(), *role)
                        : ASC_refusePresentationContext(params, context.presentationContextID,
                                                        ASC_P_TRANSFERSYNTAXESNOTSUPPORTED);
    }
    if (answered.bad()) return answered;
  }
  return EC_Normal;
}

void StoreScp::notifyAssociationAcknowledge() {
  accepted_ = true;
  std::string contexts =
      std::to_string(ASC_countAcceptedPresentationContexts(association_->params));
  log::info("association_accepted", {{"calling_ae", state_.calling_ae},
                                     {"site", state_.site},
                                     {"peer", state_.peer_ip},
                                     {"called_ae", called_ae_},
                                     {"presentation_contexts", contexts}});
}

OFCondition StoreScp::handleIncomingCommand(T_DIMSE_Message* message,
                                            const DcmPresentationContextInfo& info) {
  try {
    if (message->CommandField == DIMSE_C_STORE_RQ) {
      return handleStore(message->msg.CStoreRQ, info.presentationContextID);
    }
    return DcmThreadSCP::handleIncomingCommand(message, info);  // C-ECHO; others end it
  } catch (const std::exception& e) {
    // Unknown state mid-message: end the association; the sender retries what is unanswered.
    log::error("receive_internal_error", {{"calling_ae", state_.calling_ae},
                                          {"site", state_.site},
                                          {"error", e.what()}});
    context_.refused(InstanceRefusal::Internal).add();
    return internalFailure("internal error while handling a DIMSE command");
  }
}

OFCondition StoreScp::skipDataSetAndAnswer(T_DIMSE_C_StoreRQ& request,
                                           T_ASC_PresentationContextID context_id,
                                           std::uint16_t answer) {
  if (request.DataSetType != DIMSE_DATASET_NULL) {
    DIC_UL bytes = 0;
    DIC_UL pdvs = 0;
    OFCondition skipped =
        DIMSE_ignoreDataSet(association_, DIMSE_NONBLOCKING,
                            static_cast<int>(getDIMSETimeout()), &bytes, &pdvs);
    if (skipped.bad()) return skipped;
  }
  return sendSTOREResponse(context_id, request, answer);
}

OFCondition StoreScp::handleStore(T_DIMSE_C_StoreRQ& request,
                                  T_ASC_PresentationContextID context_id) {
  const std::string requested_sop = trimmed(request.AffectedSOPInstanceUID);
  const std::string requested_class = trimmed(request.AffectedSOPClassUID);
  if (!context_.accepting()) {
    std::uint16_t answer =
        refuseInstance(context_, state_, InstanceRefusal::NotAccepting, status::kOutOfResources,
                       "not accepting work: state store unavailable", requested_sop);
    return skipDataSetAndAnswer(request, context_id, answer);
  }
  Result<std::filesystem::path> temporary = context_.spool.reserveTemporary(
      context_.lengths.expected(state_.calling_ae, requested_class));
  if (!temporary) {
    const Error& error = temporary.error();
    std::uint16_t answer = refuseInstance(
        context_, state_,
        error.code == ErrorCode::ResourceExhausted ? InstanceRefusal::OutOfResources
                                                   : InstanceRefusal::Internal,
        status::storeStatusFor(error.code), error.describe(), requested_sop);
    return skipDataSetAndAnswer(request, context_id, answer);
  }

  // Bit-preserving and low on memory: the PDVs go straight into the (possibly recycled) file.
  ReceiveIntoFileOptions options;
  options.blocking = getDIMSEBlockingMode();
  options.timeout_seconds = static_cast<int>(getDIMSETimeout());
  options.writeback_step_bytes = context_.settings.early_writeback ? kWritebackStepBytes : 0;
  // The receiver has the file open: its fsync there spares the spool a re-open to do it.
  options.sync_file = context_.spool.syncsFiles();
  const ReceivedIntoFile outcome =
      receiveDataSetIntoFile(association_, request, context_id, *temporary, options);
  const OFCondition& received = outcome.condition;
  if (received.bad()) {
    context_.spool.discard(*temporary);
    if (received.module() == OFM_dcmnet && received.code() == DIMSEC_OUTOFRESOURCES) {
      // The file could not be opened or written; the data set has been read past: answer.
      std::uint16_t answer =
          refuseInstance(context_, state_, InstanceRefusal::OutOfResources,
                         status::kOutOfResources, received.text(), requested_sop);
      return sendSTOREResponse(context_id, request, answer);
    }
    // The data set did not arrive (connection lost, timeout): the association is over.
    context_.refused(InstanceRefusal::ReceiveFailed).add();
    ++state_.refused;
    log::warn("instance_receive_failed", {{"calling_ae", state_.calling_ae},
                                          {"site", state_.site},
                                          {"peer", state_.peer_ip},
                                          {"error", received.text()}});
    return received;
  }
  context_.lengths.remember(state_.calling_ae, requested_class, outcome.bytes);
  const std::uint64_t bytes_before = state_.bytes;
  const ReceivedFile file{*temporary, outcome.bytes,
                          outcome.synced ? engine::Spool::FileState::Synced
                                         : engine::Spool::FileState::Written};
  std::uint16_t answer = intakeReceivedFile(context_, state_, file, requested_sop, requested_class);
  holdBackForSiteRate(state_.bytes - bytes_before);
  return sendSTOREResponse(context_id, request, answer);
}

// A site over its bytes per minute gets its answers later, so that it slows down; other
// sites' associations run on their own threads and are not held up.
void StoreScp::holdBackForSiteRate(std::uint64_t bytes) {
  if (!context_.settings.site_guard || bytes == 0) return;
  std::chrono::milliseconds wait = context_.settings.site_guard->charge(state_.site, bytes);
  if (wait <= std::chrono::milliseconds::zero()) return;
  log::info("site_rate_limited", {{"site", state_.site},
                                  {"calling_ae", state_.calling_ae},
                                  {"delay_ms", std::to_string(wait.count())}});
  std::this_thread::sleep_for(wait);
}

// ----------------------------------------------------------------------------------------

class ReceivePool::Worker : public DcmBaseSCPPool::DcmBaseSCPWorker, private StoreScp {
 public:
  Worker(DcmBaseSCPPool& pool, ReceiveContext& context)
      : DcmBaseSCPPool::DcmBaseSCPWorker(pool), StoreScp(context) {}

  OFCondition setSharedConfig(const DcmSharedSCPConfig& config) override {
    return StoreScp::setSharedConfig(config);
  }
  OFBool busy() override { return StoreScp::isConnected(); }

 protected:
  OFCondition workerListen(T_ASC_Association* const association) override {
    return StoreScp::serve(association);
  }
};

ReceivePool::ReceivePool(ReceiveContext& context) : context_(context) {}

DcmBaseSCPPool::DcmBaseSCPWorker* ReceivePool::createSCPWorker() {
  return new Worker(*this, context_);
}

}  // namespace sundial::adapters::dicom
