#pragma once
// One received instance, from the temporary spool file DCMTK wrote to the status we answer:
// read the header, check the UIDs, commit to the spool, publish InstanceSpooled. Runs on the
// association's thread; no DCMTK network types here.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/dicom/receive_context.h"
#include "engine/store/spool.h"

namespace sundial::adapters::dicom {

// One accepted association, owned by its thread.
struct AssociationState {
  std::string site;
  std::string calling_ae;
  std::string peer_ip;
  engine::Counter* instances_received = nullptr;
  engine::Counter* bytes_received = nullptr;
  // Made on first use and destroyed when the association ends, on this thread.
  std::unique_ptr<engine::EventPublisher> publisher;
  std::uint64_t instances = 0;
  std::uint64_t bytes = 0;
  std::uint64_t refused = 0;
};

// A data set received into a temporary spool file.
struct ReceivedFile {
  std::filesystem::path temporary;
  std::uint64_t bytes = 0;  // its length, as written
  engine::Spool::FileState state = engine::Spool::FileState::Written;
};

// The status to answer for the data set received into `file.temporary`, which is consumed
// either way (committed or discarded). Logs and counts every refusal.
std::uint16_t intakeReceivedFile(ReceiveContext& context, AssociationState& association,
                                 const ReceivedFile& file,
                                 const std::string& requested_sop_instance_uid,
                                 const std::string& requested_sop_class_uid);

// Logs (once, here) and counts a refused instance; returns `status` for the answer. No
// patient data; the SOP Instance UID only when identifying logs are enabled.
std::uint16_t refuseInstance(ReceiveContext& context, AssociationState& association,
                             InstanceRefusal refusal, std::uint16_t status,
                             std::string_view detail, std::string_view sop_instance_uid = {});

}  // namespace sundial::adapters::dicom
