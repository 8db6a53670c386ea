#pragma once
// The C-STORE-RQ command set (PS3.7 9.3.1.1) encoded by hand, in implicit VR little endian as
// every DIMSE command is, so that the forwarder can put it on the wire next to a data set it
// never parses. Pure code; any thread.

#include <cstdint>
#include <string>
#include <vector>

namespace sundial::adapters::dicom {

inline constexpr std::uint16_t kCommandFieldCStoreRequest = 0x0001;
inline constexpr std::uint16_t kCommandFieldCStoreResponse = 0x8001;
inline constexpr std::uint16_t kPriorityMedium = 0x0000;
// Any value but 0x0101 ("no data set") says a data set follows; DCMTK writes 0x0001.
inline constexpr std::uint16_t kCommandDataSetPresent = 0x0001;

struct CStoreRequest {
  std::uint16_t message_id = 0;
  std::string sop_class_uid;     // (0000,0002) Affected SOP Class UID
  std::string sop_instance_uid;  // (0000,1000) Affected SOP Instance UID
  std::uint16_t priority = kPriorityMedium;
};

// (0000,0000) group length, (0000,0002), (0000,0100) = C-STORE-RQ, (0000,0110) message ID,
// (0000,0700) priority, (0000,0800) data set present, (0000,1000); UIDs padded with \0 to an
// even length.
std::vector<std::uint8_t> encodeCStoreRequest(const CStoreRequest& request);

}  // namespace sundial::adapters::dicom
