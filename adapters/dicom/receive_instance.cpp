#include "adapters/dicom/receive_instance.h"

#include <exception>

#include "adapters/dicom/dicom_header.h"
#include "adapters/dicom/dicom_status.h"
#include "adapters/dicom/receive_header_check.h"
#include "engine/domain/events.h"
#include "engine/domain/instance.h"
#include "engine/domain/log.h"

namespace sundial::adapters::dicom {
namespace {

InstanceRefusal refusalFor(ErrorCode code) {
  switch (status::storeStatusFor(code)) {
    case status::kOutOfResources: return InstanceRefusal::OutOfResources;
    case status::kCannotUnderstand: return InstanceRefusal::Unreadable;
    default: return InstanceRefusal::Internal;
  }
}

// Publishes on this association's publisher, making it on first use. A failure is returned,
// never thrown: the instance is already committed and the engine rescans the spool on start.
Result<void> publishSpooled(ReceiveContext& context, AssociationState& association,
                            SpooledInstance instance) {
  try {
    if (!association.publisher) association.publisher = context.publishers();
    if (!association.publisher) {
      return makeError(ErrorCode::Unavailable, "the publisher factory made no publisher");
    }
    return association.publisher->publish(InstanceSpooled{std::move(instance)});
  } catch (const std::exception& e) {
    return makeError(ErrorCode::Internal, std::string("publishing threw: ") + e.what());
  }
}

}  // namespace

std::uint16_t refuseInstance(ReceiveContext& context, AssociationState& association,
                             InstanceRefusal refusal, std::uint16_t answer,
                             std::string_view detail, std::string_view sop_instance_uid) {
  context.refused(refusal).add();
  ++association.refused;
  std::string status_text = status::formatStatus(answer);
  log::warn("instance_refused",
            {{"reason", refusalName(refusal)},
             {"status", status_text},
             {"calling_ae", association.calling_ae},
             {"site", association.site},
             {"peer", association.peer_ip},
             {"sop_instance_uid", log::identifying(sop_instance_uid)},
             {"detail", detail}});
  return answer;
}

std::uint16_t intakeReceivedFile(ReceiveContext& context, AssociationState& association,
                                 const ReceivedFile& file,
                                 const std::string& requested_sop_instance_uid,
                                 const std::string& requested_sop_class_uid) {
  const std::filesystem::path& temporary = file.temporary;
  Result<DicomHeader> header = readDicomHeader(temporary);
  if (!header) {
    context.spool.discard(temporary);
    return refuseInstance(context, association, InstanceRefusal::Unreadable,
                          status::kCannotUnderstand, header.error().message,
                          requested_sop_instance_uid);
  }
  if (auto problem = checkReceivedUids(*header, requested_sop_instance_uid, requested_sop_class_uid)) {
    context.spool.discard(temporary);
    return refuseInstance(context, association, problem->refusal, status::kCannotUnderstand,
                          problem->detail, requested_sop_instance_uid);
  }

  Result<std::filesystem::path> committed =
      context.spool.commit(temporary, header->study_uid, header->sop_instance_uid, file.state);
  if (!committed) {
    context.spool.discard(temporary);
    return refuseInstance(context, association, refusalFor(committed.error().code),
                          status::storeStatusFor(committed.error().code),
                          committed.error().describe(), header->sop_instance_uid);
  }

  // The length the receiver wrote and cut the file to: no stat of the committed file.
  const std::uint64_t bytes = file.bytes;

  SpooledInstance instance;
  instance.site = association.site;
  instance.calling_ae = association.calling_ae;
  instance.study_uid = header->study_uid;
  instance.series_uid = header->series_uid;
  instance.sop_instance_uid = header->sop_instance_uid;
  instance.sop_class_uid = header->sop_class_uid;
  instance.transfer_syntax_uid = header->transfer_syntax_uid;
  instance.modality = busSafeModality(header->modality);
  instance.spool_path = committed->string();
  instance.bytes = bytes;
  instance.received_at = context.clock.utcNow();
  instance.study = header->study;

  std::string modality = instance.modality;
  std::string sop_class = instance.sop_class_uid;
  Result<void> published = publishSpooled(context, association, std::move(instance));
  if (!published) {
    // Committed is what counts: answer success; the engine finds the file when it rescans.
    log::warn("instance_publish_failed",
              {{"calling_ae", association.calling_ae},
               {"site", association.site},
               {"sop_instance_uid", log::identifying(header->sop_instance_uid)},
               {"error", published.error().describe()}});
  }

  association.instances_received->add();
  association.bytes_received->add(bytes);
  ++association.instances;
  association.bytes += bytes;
  std::string size_text = std::to_string(bytes);
  log::debug("instance_spooled", {{"calling_ae", association.calling_ae},
                                  {"site", association.site},
                                  {"sop_class", sop_class},
                                  {"modality", modality},
                                  {"transfer_syntax", header->transfer_syntax_uid},
                                  {"bytes", size_text},
                                  {"sop_instance_uid", log::identifying(header->sop_instance_uid)}});
  return status::kSuccess;
}

}  // namespace sundial::adapters::dicom
