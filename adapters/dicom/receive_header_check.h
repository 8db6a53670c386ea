#pragma once
// What the receiver checks in a received instance's header facts before it commits the file
// and answers: the UIDs it needs (present, valid, agreeing with the C-STORE request), and a
// modality that can travel on the bus. Pure: any thread; no DCMTK types (the DICOM fuzz
// target runs it on headers read from arbitrary bytes).

#include <optional>
#include <string>

#include "adapters/dicom/dicom_header.h"
#include "adapters/dicom/receive_context.h"

namespace sundial::adapters::dicom {

// The first problem with the header's UIDs, as a refusal and a sentence for the log.
struct UidProblem {
  InstanceRefusal refusal;
  std::string detail;
};

// nullopt when Study, Series, SOP Instance, SOP Class and Transfer Syntax UIDs are all
// present and valid and the SOP Instance and Class UIDs are those the request named.
std::optional<UidProblem> checkReceivedUids(const DicomHeader& header,
                                            const std::string& requested_sop_instance_uid,
                                            const std::string& requested_sop_class_uid);

// Modality is a code string; anything else could break the bus's wire form, so keep only the
// characters a CS may hold (A-Z, 0-9, '_', ' ').
std::string busSafeModality(const std::string& modality);

}  // namespace sundial::adapters::dicom
