#pragma once
// Receiving one C-STORE data set straight into a spool file, bit for bit, without parsing it.
// Unlike DCMTK's DcmSCP::receiveSTORERequest (which creates the file with fopen "wb"), this
// overwrites the file it is given from its first byte and then cuts it to the new length, so
// that a recycled spool file keeps its inode and its disk blocks: no inode allocation on
// create, no block freeing on unlink, no new block allocation on write-back. On the 2-core
// benchmark machine those were about 13 % of the router's CPU per instance.
// Call on the association's thread only.

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <cstdint>
#include <filesystem>

#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmnet/dimse.h"

namespace sundial::adapters::dicom {

struct ReceiveIntoFileOptions {
  T_DIMSE_BlockingMode blocking = DIMSE_BLOCKING;
  int timeout_seconds = 0;
  // Every this many bytes the kernel is asked to start writing the file out
  // (sync_file_range, no wait), so that the fsync before the answer only waits for the tail.
  // 0: never.
  unsigned long writeback_step_bytes = 0;
  // fsync the file (data and size) on the descriptor that wrote it, before closing it, so
  // that the spool's commit need not open it again to do so.
  bool sync_file = false;
};

struct ReceivedIntoFile {
  OFCondition condition;    // EC_Normal when the whole data set is in the file
  std::uint64_t bytes = 0;  // then: the file's length, meta information included
  bool synced = false;      // then: fsynced before it was closed (options.sync_file)
};

// Writes the file meta information (as DCMTK's DIMSE_createFilestream does: SOP class and
// instance from the request, the context's transfer syntax, the caller as source AE title)
// and then every PDV of the data set, as received, into `file` (which must exist; it is
// overwritten and truncated, never re-created).
// The condition is DIMSEC_OUTOFRESOURCES (module OFM_dcmnet) when the file cannot be opened,
// written or synced; the rest of the data set has then been read and dropped, so that the
// caller can answer. Any other bad condition means the association cannot go on.
ReceivedIntoFile receiveDataSetIntoFile(T_ASC_Association* association,
                                   const T_DIMSE_C_StoreRQ& request,
                                   T_ASC_PresentationContextID context_id,
                                   const std::filesystem::path& file,
                                   const ReceiveIntoFileOptions& options);

}  // namespace sundial::adapters::dicom
