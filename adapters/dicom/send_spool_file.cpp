#include "adapters/dicom/send_spool_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "engine/domain/log.h"

namespace sundial::adapters::dicom {
namespace {

// For a file whose meta group does not name the instance: DCMTK reads the data set's own
// SOP Class and Instance UID (values over 4 KiB stay on disk).
Result<void> readUidsFromDataSet(const std::string& path, FileMetaInfo& meta) {
  DcmFileFormat file;
  if (OFCondition cond = file.loadFile(path.c_str()); cond.bad()) {
    return makeError(ErrorCode::InvalidInput, std::string("cannot read spool file: ") + cond.text());
  }
  DcmDataset& dataset = *file.getDataset();
  OFString sop_class;
  OFString sop_instance;
  dataset.findAndGetOFString(DCM_SOPClassUID, sop_class);
  dataset.findAndGetOFString(DCM_SOPInstanceUID, sop_instance);
  if (sop_class.empty() || sop_instance.empty()) {
    return makeError(ErrorCode::InvalidInput, "spool file has no SOP Class or SOP Instance UID");
  }
  meta.sop_class_uid = sop_class.c_str();
  meta.sop_instance_uid = sop_instance.c_str();
  return okResult();
}

}  // namespace

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

Result<SpoolFile> openSpoolFile(const std::string& path) {
  std::error_code fs_error;
  if (!std::filesystem::is_regular_file(path, fs_error)) {
    return makeError(ErrorCode::NotFound,
                     "spool file missing: " + std::string(log::identifying(path)));
  }
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return makeError(ErrorCode::NotFound, "spool file vanished while opening it");
    return makeError(ErrorCode::InvalidInput,
                     std::string("cannot open spool file: ") + std::strerror(errno));
  }
  Result<FileMetaInfo> meta = readFileMetaInfo(fd.get());
  if (!meta) {
    return makeError(meta.error().code, "cannot read spool file: " + meta.error().message);
  }
  SpoolFile spool{std::move(fd), std::move(meta.value())};
  if (spool.meta.sop_class_uid.empty() || spool.meta.sop_instance_uid.empty()) {
    if (auto found = readUidsFromDataSet(path, spool.meta); !found) return found.error();
    spool.streamable = false;
  }
  // Every element has an even length, so an odd data set is malformed, and DCMTK peers abort
  // the association on an odd PDV ("Odd Fragment Length"): a retry would fail the same way.
  // DCMTK pads the odd value when it writes the data set, as it always did here.
  if (spool.meta.data_set_length % 2 != 0) spool.streamable = false;
  return spool;
}

}  // namespace sundial::adapters::dicom
