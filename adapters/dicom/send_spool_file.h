#pragma once
// A spool file opened for forwarding: its descriptor and what its meta information says, read
// without parsing the data set (dicom_file_meta), and whether its data set may be streamed
// as is. Used by DicomInstanceSender, so by one forward worker thread.
//
// Internal to adapters/dicom.

#include <string>

#include "adapters/dicom/dicom_file_meta.h"
#include "engine/domain/result.h"

namespace sundial::adapters::dicom {

// An open file descriptor, closed with its owner.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    const int mine = fd_;
    fd_ = other.fd_;
    other.fd_ = mine;  // closed with `other`
    return *this;
  }
  ~FileDescriptor();
  bool valid() const { return fd_ >= 0; }
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// The spool file, open, and what its meta information says. Only the meta group has been
// read: the data set is streamed from `fd` or, for a conversion, loaded by DCMTK.
struct SpoolFile {
  FileDescriptor fd;
  FileMetaInfo meta;
  // False when the SOP Class and Instance UIDs came from the data set (the meta group lacks
  // them: the command would then name UIDs not checked against the file's own) or when the
  // data set has an odd length (see openSpoolFile): such a file goes through DCMTK, as every
  // file did before streaming.
  bool streamable = true;
};

// NotFound: missing, or gone while being opened. InvalidInput: unreadable or a malformed meta
// group (the message says what is wrong). Messages say what failed, not which operation.
// When the meta group lacks the Media Storage UIDs, DCMTK reads them from the data set.
Result<SpoolFile> openSpoolFile(const std::string& path);

}  // namespace sundial::adapters::dicom
