#include "adapters/dicom/receive_into_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcmetinf.h"
#include "dcmtk/dcmdata/dcostrmf.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmdata/dcvrae.h"
#include "dcmtk/dcmdata/dcvrobow.h"
#include "dcmtk/dcmdata/dcvrsh.h"
#include "dcmtk/dcmdata/dcvrui.h"
#include "dcmtk/dcmnet/diutil.h"
#include "engine/domain/result.h"

namespace sundial::adapters::dicom {
namespace {

OFCondition outOfResources(const std::string& text) {
  return makeDcmnetCondition(DIMSEC_OUTOFRESOURCES, OF_error, text.c_str());
}

// The meta information DIMSE_createFilestream writes, so that a file received here is the
// same, byte for byte, as one received by DcmSCP::receiveSTORERequest.
Result<std::unique_ptr<DcmMetaInfo>> metaInformationFor(T_ASC_Association* association,
                                                        const T_DIMSE_C_StoreRQ& request,
                                                        T_ASC_PresentationContextID context_id) {
  T_ASC_PresentationContext context;
  if (ASC_findAcceptedPresentationContext(association->params, context_id, &context).bad()) {
    return makeError(ErrorCode::InvalidInput, "no accepted presentation context " +
                                                  std::to_string(context_id));
  }
  auto meta = std::make_unique<DcmMetaInfo>();
  auto* version = new DcmOtherByteOtherWord(DCM_FileMetaInformationVersion);
  const Uint8 version_bytes[2] = {0, 1};
  version->putUint8Array(version_bytes, 2);
  meta->insert(version, OFTrue);
  auto put = [&](DcmElement* element, const char* value) {
    element->putString(value);
    meta->insert(element, OFTrue);
  };
  put(new DcmUniqueIdentifier(DCM_MediaStorageSOPClassUID), request.AffectedSOPClassUID);
  put(new DcmUniqueIdentifier(DCM_MediaStorageSOPInstanceUID), request.AffectedSOPInstanceUID);
  put(new DcmUniqueIdentifier(DCM_TransferSyntaxUID), context.acceptedTransferSyntax);
  put(new DcmUniqueIdentifier(DCM_ImplementationClassUID), OFFIS_IMPLEMENTATION_CLASS_UID);
  put(new DcmShortString(DCM_ImplementationVersionName), OFFIS_DTK_IMPLEMENTATION_VERSION_NAME2);
  put(new DcmApplicationEntity(DCM_SourceApplicationEntityTitle),
      association->params->DULparams.callingAPTitle);
  OFCondition lengths = meta->computeGroupLengthAndPadding(
      EGL_withGL, EPD_noChange, META_HEADER_DEFAULT_TRANSFERSYNTAX, EET_UndefinedLength);
  if (lengths.bad()) return makeError(ErrorCode::Internal, lengths.text());
  return meta;
}

struct WritebackState {
  int fd = -1;
  unsigned long step = 0;
  unsigned long mark = 0;
};

void startWriteback(void* context, unsigned long byte_count) {
  auto* state = static_cast<WritebackState*>(context);
  if (byte_count < state->mark + state->step) return;
  state->mark = byte_count;
  ::sync_file_range(state->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

OFCondition dropDataSet(T_ASC_Association* association, const ReceiveIntoFileOptions& options,
                        const std::string& why) {
  DIC_UL bytes = 0;
  DIC_UL pdvs = 0;
  OFCondition skipped = DIMSE_ignoreDataSet(association, options.blocking,
                                            options.timeout_seconds, &bytes, &pdvs);
  return skipped.good() ? outOfResources(why) : skipped;
}

}  // namespace

ReceivedIntoFile receiveDataSetIntoFile(T_ASC_Association* association,
                                        const T_DIMSE_C_StoreRQ& request,
                                        T_ASC_PresentationContextID context_id,
                                        const std::filesystem::path& file,
                                        const ReceiveIntoFileOptions& options) {
  if (association == nullptr) return {DIMSE_ILLEGALASSOCIATION};
  if (request.DataSetType == DIMSE_DATASET_NULL) return {DIMSE_BADMESSAGE};

  auto meta = metaInformationFor(association, request, context_id);
  if (!meta) return {dropDataSet(association, options, meta.error().message)};
  // "r+b": keep the inode and its blocks (see the header); the tail is cut below.
  FILE* handle = std::fopen(file.c_str(), "r+b");
  if (handle == nullptr) {
    return {dropDataSet(association, options,
                        "cannot open spool file: " + std::string(std::strerror(errno)))};
  }
  const int fd = ::fileno(handle);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  DcmOutputFileStream stream(handle);  // closes `handle` when destroyed

  (*meta)->transferInit();
  OFCondition written =
      (*meta)->write(stream, META_HEADER_DEFAULT_TRANSFERSYNTAX, EET_ExplicitLength, nullptr);
  (*meta)->transferEnd();
  if (written.bad()) return {dropDataSet(association, options, "cannot write the meta header")};

  WritebackState writeback{fd, options.writeback_step_bytes, 0};
  T_ASC_PresentationContextID data_context = 0;
  OFCondition received = DIMSE_receiveDataSetInFile(
      association, options.blocking, options.timeout_seconds, &data_context, &stream,
      options.writeback_step_bytes > 0 ? startWriteback : nullptr, &writeback);
  if (received.bad()) return {received};
  if (data_context != context_id) {
    return {makeDcmnetCondition(DIMSEC_INVALIDPRESENTATIONCONTEXTID, OF_error,
                                "the data set came on another presentation context than its "
                                "command")};
  }

  // Everything through to the kernel, then cut what an earlier, longer instance left behind.
  stream.flush();
  if (!stream.good() || std::fflush(handle) != 0) {
    return {outOfResources("cannot write spool file: " + std::string(std::strerror(errno)))};
  }
  const off_t length = ::lseek(fd, 0, SEEK_CUR);
  if (length < 0 || ::ftruncate(fd, length) != 0) {
    return {outOfResources("cannot cut spool file to length: " +
                           std::string(std::strerror(errno)))};
  }
  // Data, size (the cut) and block map durable before the spool renames the file; fsync as the
  // spool's commit did, on this descriptor instead of a fresh open.
  if (options.sync_file && ::fsync(fd) != 0) {
    return {outOfResources("cannot sync spool file: " + std::string(std::strerror(errno)))};
  }
  return {EC_Normal, static_cast<std::uint64_t>(length), options.sync_file};
}

}  // namespace sundial::adapters::dicom
