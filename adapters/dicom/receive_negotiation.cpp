#include "adapters/dicom/receive_negotiation.h"

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <algorithm>
#include <set>

#include "dcmtk/dcmdata/dcuid.h"

namespace sundial::adapters::dicom {

const std::vector<std::string>& acceptedTransferSyntaxes() {
  static const std::vector<std::string> syntaxes = {
      UID_JPEGProcess1TransferSyntax,                 // .4.50 baseline
      UID_JPEGProcess2_4TransferSyntax,               // .4.51 extended
      UID_JPEGProcess14TransferSyntax,                // .4.57 lossless
      UID_JPEGProcess14SV1TransferSyntax,             // .4.70 lossless SV1
      UID_JPEGLSLosslessTransferSyntax,               // .4.80
      UID_JPEGLSLossyTransferSyntax,                  // .4.81 near-lossless
      UID_JPEG2000LosslessOnlyTransferSyntax,         // .4.90
      UID_JPEG2000TransferSyntax,                     // .4.91
      UID_RLELosslessTransferSyntax,                  // .5
      UID_DeflatedExplicitVRLittleEndianTransferSyntax,  // .1.99
      UID_LittleEndianExplicitTransferSyntax,         // .1
      UID_BigEndianExplicitTransferSyntax,            // .2 (retired, still sent)
      UID_LittleEndianImplicitTransferSyntax,         // the default every SCU may propose
  };
  return syntaxes;
}

bool isAcceptedTransferSyntax(std::string_view uid) {
  const auto& syntaxes = acceptedTransferSyntaxes();
  return std::find(syntaxes.begin(), syntaxes.end(), uid) != syntaxes.end();
}

bool isAcceptedAbstractSyntax(std::string_view uid) {
  static const std::set<std::string, std::less<>> accepted = [] {
    std::set<std::string, std::less<>> uids{UID_VerificationSOPClass};
    for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; ++i) {
      uids.insert(dcmAllStorageSOPClassUIDs[i]);
    }
    return uids;
  }();
  return accepted.find(uid) != accepted.end();
}

std::optional<std::string> chooseTransferSyntax(const std::vector<std::string>& proposed) {
  for (const auto& uid : proposed) {
    if (isAcceptedTransferSyntax(uid)) return uid;
  }
  return std::nullopt;
}

}  // namespace sundial::adapters::dicom
