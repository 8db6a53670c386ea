#include "adapters/dicom/send_instance_sender.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "adapters/dicom/dicom_file_meta.h"
#include "adapters/dicom/send_association.h"
#include "adapters/dicom/send_process_setup.h"
#include "adapters/dicom/send_spool_file.h"
#include "adapters/dicom/send_store_status.h"
#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcxfer.h"
#include "engine/domain/log.h"

namespace sundial::adapters::dicom {
namespace {

// What earlier associations carried is remembered up to this many (SOP class, syntax) pairs;
// the plan itself never proposes more than 128 contexts.
constexpr std::size_t kMaxRememberedNeeds = 256;

void appendUnique(std::vector<SendSyntaxNeed>& needs, const SendSyntaxNeed& need) {
  if (need.sop_class_uid.empty()) return;
  if (std::find(needs.begin(), needs.end(), need) != needs.end()) return;
  if (needs.size() < kMaxRememberedNeeds) needs.push_back(need);
}

enum class SendMode {
  Stream,   // the accepted syntax is the file's own: its data set bytes go out unparsed
  Reencode, // explicit <-> implicit VR little endian: DCMTK rewrites the element headers
  Convert,  // decompression to an uncompressed syntax
};

struct ContextChoice {
  std::uint8_t id = 0;
  std::string transfer_syntax_uid;
  SendMode mode = SendMode::Stream;
};

// The accepted context to use for an instance of `sop_class` encoded in `own_syntax`.
std::optional<ContextChoice> chooseContext(const std::vector<AcceptedContext>& accepted,
                                           const std::string& sop_class,
                                           const std::string& own_syntax) {
  const AcceptedContext* fallback = nullptr;
  for (const AcceptedContext& context : accepted) {
    if (context.sop_class_uid != sop_class) continue;
    if (context.transfer_syntax_uid == own_syntax) {
      return ContextChoice{context.id, context.transfer_syntax_uid, SendMode::Stream};
    }
    bool better = fallback == nullptr ||
                  (isUncompressedLittleEndian(context.transfer_syntax_uid) &&
                   !isUncompressedLittleEndian(fallback->transfer_syntax_uid)) ||
                  context.transfer_syntax_uid == kExplicitVrLittleEndianUid;
    if (better) fallback = &context;
  }
  if (fallback == nullptr) return std::nullopt;
  // Explicit <-> implicit VR little endian needs no decoding: DCMTK re-encodes the element
  // headers while still streaming values from disk.
  bool streamable = isUncompressedLittleEndian(own_syntax) &&
                    isUncompressedLittleEndian(fallback->transfer_syntax_uid);
  return ContextChoice{fallback->id, fallback->transfer_syntax_uid,
                       streamable ? SendMode::Reencode : SendMode::Convert};
}

// The C-STORE through DCMTK: the file loaded with values longer than DCMTK's default read
// limit (4 KiB: pixel data, large sequences) left on disk until written, exactly what
// DcmSCU::sendSTORERequest does with a file name in 3.6.7, so a whole image is never held in
// memory unless it must be decoded. Messages start with `operation`.
// DCMTK opens the file again by name for each value it left on disk, when it writes it. The
// name is that of `fd`, the file openSpoolFile() opened (/proc/self/fd): the spool path may
// meanwhile name another file (a repeat of the instance committed over it, with a meta group of
// another length), whose bytes at this file's offsets are not this instance's values.
Result<StoreResponse> storeThroughDcmtk(SendAssociation& association, const std::string& path,
                                        int fd, const FileMetaInfo& meta,
                                        const ContextChoice& choice,
                                        const std::string& operation) {
  auto fail = [&](ErrorCode code, const std::string& message) {
    return makeError(code, operation + ": " + message);
  };
  DcmFileFormat file;
  const std::string opened = "/proc/self/fd/" + std::to_string(fd);
  OFCondition cond = file.loadFile(opened.c_str());
  if (cond.bad()) {
    std::error_code fs_error;
    if (!std::filesystem::exists(path, fs_error)) {
      return fail(ErrorCode::NotFound, "spool file vanished while opening it");
    }
    return fail(ErrorCode::InvalidInput, std::string("cannot read spool file: ") + cond.text());
  }
  DcmDataset& dataset = *file.getDataset();
  if (choice.mode == SendMode::Convert) {
    DcmXfer target(choice.transfer_syntax_uid.c_str());
    cond = dataset.loadAllDataIntoMemory();
    if (cond.good()) cond = dataset.chooseRepresentation(target.getXfer(), nullptr);
    if (cond.bad() || !dataset.canWriteXfer(target.getXfer())) {
      return fail(ErrorCode::InvalidInput,
                  std::string("cannot convert from ") +
                      DcmXfer(meta.transfer_syntax_uid.c_str()).getXferName() + " to " +
                      target.getXferName() + ", the only syntax the peer accepted" +
                      (cond.bad() ? std::string(": ") + cond.text() : std::string()));
    }
  }
  return association.store(choice.id, dataset, meta.sop_class_uid, meta.sop_instance_uid);
}

}  // namespace

SendTimeouts sendTimeoutsFrom(const config::NodeConfig& node) {
  return SendTimeouts{node.dimse_timeout, node.dimse_timeout, node.dimse_timeout};
}

DicomInstanceSender::DicomInstanceSender(std::string our_ae_title,
                                         config::DestinationConfig destination,
                                         SendTimeouts timeouts, std::uint32_t max_pdu_bytes)
    : destination_(std::move(destination)) {
  prepareDicomSendProcess();
  SendPeer peer{std::move(our_ae_title), destination_.ae_title, destination_.host,
                destination_.port, std::nullopt};
  association_ = std::make_unique<SendAssociation>(std::move(peer), timeouts, max_pdu_bytes);
}

DicomInstanceSender::DicomInstanceSender(const config::NodeConfig& node,
                                         config::DestinationConfig destination)
    : DicomInstanceSender(node.ae_title, std::move(destination), sendTimeoutsFrom(node),
                          node.max_pdu_bytes) {}

DicomInstanceSender::DicomInstanceSender(const config::NodeConfig& node,
                                         config::DestinationConfig destination,
                                         std::optional<DicomTlsFiles> tls)
    : DicomInstanceSender(node, std::move(destination)) {
  if (!tls) return;
  SendPeer peer = association_->peer();
  peer.tls = std::move(tls);
  association_ = std::make_unique<SendAssociation>(std::move(peer), sendTimeoutsFrom(node),
                                                   node.max_pdu_bytes);
}

DicomInstanceSender::~DicomInstanceSender() { release(); }

bool DicomInstanceSender::associationOpen() const { return association_->isOpen(); }

std::string DicomInstanceSender::peerLabel() const { return association_->peer().label(); }

std::string DicomInstanceSender::errorContext(const engine::ForwardJob& job) const {
  std::string context = "destination=" + destination_.name + " peer=" + peerLabel();
  context += " sop_instance_uid=";
  context += log::identifying(job.sop_instance_uid);
  return context;
}

void DicomInstanceSender::prepare(const std::vector<engine::ForwardJob>& upcoming) {
  upcoming_.clear();
  for (const engine::ForwardJob& job : upcoming) {
    appendUnique(upcoming_, SendSyntaxNeed{job.sop_class_uid, job.transfer_syntax_uid});
  }
}

void DicomInstanceSender::release() {
  if (!association_->isOpen()) return;
  association_->release();
  log::debug("dicom_send_association_released",
             {{"destination", destination_.name}, {"peer", peerLabel()}});
}

Result<void> DicomInstanceSender::openAssociation(const SendSyntaxNeed& need,
                                                  const engine::ForwardJob& job) {
  // The job at hand first, then what is queued, then what earlier associations carried.
  std::vector<SendSyntaxNeed> needs;
  appendUnique(needs, need);
  for (const SendSyntaxNeed& upcoming : upcoming_) appendUnique(needs, upcoming);
  for (const SendSyntaxNeed& carried : carried_) appendUnique(needs, carried);
  std::vector<ProposedContext> plan = planPresentationContexts(needs);

  Result<void> opened = association_->open(plan);
  if (!opened) {
    Error error = opened.error();  // logged once, by send()
    error.context = errorContext(job);
    return error;
  }
  ++associations_opened_;
  carried_ = std::move(needs);
  log::debug("dicom_send_association_opened",
             {{"destination", destination_.name},
              {"peer", peerLabel()},
              {"contexts_proposed", std::to_string(plan.size())},
              {"contexts_accepted", std::to_string(association_->accepted().size())},
              {"max_send_pdv_bytes", std::to_string(association_->maxSendPdvBytes())}});
  return okResult();
}

Result<void> DicomInstanceSender::send(const engine::ForwardJob& job) {
  Result<void> result = sendOnce(job, /*may_reopen=*/true);
  if (!result) {
    log::warn("dicom_send_failed", {{"destination", destination_.name},
                                    {"peer", peerLabel()},
                                    {"sop_class_uid", job.sop_class_uid},
                                    {"sop_instance_uid", log::identifying(job.sop_instance_uid)},
                                    {"code", errorCodeName(result.error().code)},
                                    {"reason", result.error().message}});
  }
  return result;
}

Result<void> DicomInstanceSender::sendOnce(const engine::ForwardJob& job, bool may_reopen) {
  const std::string peer = peerLabel();
  const std::string operation = "C-STORE to " + peer;
  auto fail = [&](ErrorCode code, std::string message) {
    return makeError(code, operation + ": " + message, errorContext(job));
  };

  // 1. The spool file's meta information: what the instance is and where its data set lies.
  Result<SpoolFile> spool = openSpoolFile(job.spool_path);
  if (!spool) return fail(spool.error().code, spool.error().message);
  const FileMetaInfo& meta = spool->meta;

  // 2. An association that proposed this SOP class.
  bool opened_now = false;
  if (association_->isOpen() && association_->peerSpokeWhileIdle()) {
    log::debug("dicom_send_association_closed_by_peer",
               {{"destination", destination_.name}, {"peer", peer}});
    association_->abort();
  }
  // Re-negotiate when this SOP class, or this SOP class in its own transfer syntax, was not
  // offered: converting what the peer was never asked to take as-is would change the data
  // for nothing. (A syntax offered and refused is converted below, without re-opening.)
  SendSyntaxNeed need{meta.sop_class_uid, meta.transfer_syntax_uid};
  bool need_offered = std::find(carried_.begin(), carried_.end(), need) != carried_.end();
  if (association_->isOpen() &&
      (!association_->wasProposed(meta.sop_class_uid) || !need_offered)) {
    log::debug("dicom_send_association_renegotiating",
               {{"destination", destination_.name},
                {"peer", peer},
                {"missing_sop_class_uid", meta.sop_class_uid}});
    release();
  }
  if (!association_->isOpen()) {
    if (auto opened = openAssociation(need, job); !opened) return opened;
    opened_now = true;
  }

  // 3. A context: the file's own syntax, else one it can be converted to.
  std::optional<ContextChoice> choice =
      chooseContext(association_->accepted(), meta.sop_class_uid, meta.transfer_syntax_uid);
  if (!choice) {
    return fail(ErrorCode::InvalidInput,
                "the peer accepted no presentation context for SOP class " + meta.sop_class_uid);
  }
  // A peer whose maximum PDU is below what DCMTK sends in one PDV: let DCMTK split it.
  // A file that is not streamable (see SpoolFile): DCMTK sends what it read.
  if (choice->mode == SendMode::Stream && (!spool->streamable || !association_->canStreamFiles())) {
    choice->mode = SendMode::Reencode;
  }

  // 4. The C-STORE. A reused association may have died while idle without a word; one fresh
  // association is worth trying at once before reporting the destination unavailable (a
  // peer that merely answered too slowly is not retried here: that is the queue's backoff).
  Result<StoreResponse> response = makeError(ErrorCode::Internal, "not sent");
  if (choice->mode == SendMode::Stream) {
    ++send_path_counts_.streamed;
    response = association_->storeFile(choice->id, spool->fd.get(), meta);
  } else {
    ++send_path_counts_.through_dcmtk;
    response = storeThroughDcmtk(*association_, job.spool_path, spool->fd.get(), meta, *choice,
                                 operation);
  }
  if (!response) {
    if (response.error().code == ErrorCode::Unavailable && may_reopen && !opened_now &&
        !association_->lastStoreTimedOut()) {
      log::debug("dicom_send_association_lost",
                 {{"destination", destination_.name}, {"peer", peer}, {"action", "reopen"}});
      spool = makeError(ErrorCode::Internal, "closed");  // the retry opens the file afresh
      return sendOnce(job, /*may_reopen=*/false);
    }
    Error error = response.error();
    error.context = errorContext(job);
    return error;
  }
  if (classifyStoreStatus(response->status) == StoreStatusClass::Warning) {
    log::debug("dicom_send_warning_status", {{"destination", destination_.name},
                                             {"peer", peer},
                                             {"status", status::formatStatus(response->status)}});
  }
  return storeStatusToResult(response->status, peer, errorContext(job));
}

}  // namespace sundial::adapters::dicom
