#include "adapters/dicom/receive_header_check.h"

#include <utility>

#include "engine/domain/instance.h"

namespace sundial::adapters::dicom {

std::optional<UidProblem> checkReceivedUids(const DicomHeader& header,
                                            const std::string& requested_sop,
                                            const std::string& requested_class) {
  const std::pair<const char*, const std::string*> required[] = {
      {"Study Instance UID", &header.study_uid},
      {"Series Instance UID", &header.series_uid},
      {"SOP Instance UID", &header.sop_instance_uid},
      {"SOP Class UID", &header.sop_class_uid},
      {"Transfer Syntax UID", &header.transfer_syntax_uid},
  };
  for (const auto& [name, value] : required) {
    if (value->empty()) return UidProblem{InstanceRefusal::MissingUid, std::string("no ") + name};
  }
  for (const auto& [name, value] : required) {
    if (!isValidUid(*value)) {
      return UidProblem{InstanceRefusal::InvalidUid, std::string(name) + " is not a valid UID"};
    }
  }
  if (header.sop_instance_uid != requested_sop) {
    return UidProblem{InstanceRefusal::UidMismatch,
                      "SOP Instance UID of the data set differs from the C-STORE request's"};
  }
  if (header.sop_class_uid != requested_class) {
    return UidProblem{InstanceRefusal::UidMismatch,
                      "SOP Class UID of the data set differs from the C-STORE request's"};
  }
  return std::nullopt;
}

std::string busSafeModality(const std::string& modality) {
  std::string clean;
  for (char c : modality) {
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ' ') clean += c;
  }
  return clean;
}

}  // namespace sundial::adapters::dicom
