#pragma once
// What the storage SCP accepts at association time: Verification and every standard storage
// SOP class, each with the transfer syntaxes below. Compressed syntaxes are accepted as they
// are, so an instance is stored exactly as the sender encoded it. Pure; any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sundial::adapters::dicom {

// JPEG baseline, extended, lossless (.57, .70), JPEG-LS lossless and near-lossless,
// JPEG 2000 lossless and lossy, RLE, deflated, explicit LE, explicit BE, implicit LE.
const std::vector<std::string>& acceptedTransferSyntaxes();
bool isAcceptedTransferSyntax(std::string_view uid);

// Verification or a storage SOP class DCMTK knows (dcmAllStorageSOPClassUIDs).
bool isAcceptedAbstractSyntax(std::string_view uid);

// The proposer's own first transfer syntax that we accept (its preference, so nothing is
// transcoded on the way in), or nullopt when we accept none of them.
std::optional<std::string> chooseTransferSyntax(const std::vector<std::string>& proposed);

}  // namespace sundial::adapters::dicom
