#pragma once
// The C-STORE response status of a destination, classified by what the forwarder does next,
// and the one mapping from that class to a Result (STYLE.md §4: one table per boundary).

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/dicom/dicom_status.h"
#include "engine/domain/result.h"

namespace sundial::adapters::dicom {


enum class StoreStatusClass {
  Success,         // 0x0000
  Warning,         // 0xB000, 0xB006, 0xB007: stored, with a remark
  OutOfResources,  // 0xA7xx: the peer is full; refuse new work, retry later
  Failure,         // anything else (0xA9xx, 0xCxxx, 0x01xx ...): the peer refused the instance
};

StoreStatusClass classifyStoreStatus(std::uint16_t status);


// The status's meaning (PS3.4 B.2.3 and the general DIMSE statuses), for messages. Our own
// table rather than DCMTK's DU_cstoreStatusString, which formats unknown statuses into a
// static buffer shared by every thread.
std::string_view describeStoreStatus(std::uint16_t status);

// Success and warnings → ok; 0xA7xx → ResourceExhausted; any other → InvalidInput. The message
// names the peer (AE@host:port), the operation and the status in hex with its meaning.
Result<void> storeStatusToResult(std::uint16_t status, std::string_view peer, std::string context);

}  // namespace sundial::adapters::dicom
