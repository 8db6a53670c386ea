#include "adapters/dicom/send_file_streamer.h"

#include <sys/uio.h>

#include <climits>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "adapters/dicom/dicom_socket.h"
#include "adapters/dicom/send_pdata_framing.h"

namespace sundial::adapters::dicom {
namespace {

// Reads exactly the bytes `slices` describe from `fd` at `offset`, continuing short reads.
Result<void> readSlices(int fd, std::vector<iovec>& slices, std::uint64_t offset) {
  std::size_t first = 0;
  while (first < slices.size()) {
    int count = static_cast<int>(std::min<std::size_t>(slices.size() - first, IOV_MAX));
    ssize_t n = ::preadv(fd, slices.data() + first, count, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return makeError(ErrorCode::InvalidInput,
                       std::string("cannot read the spool file: ") + std::strerror(errno));
    }
    if (n == 0) {
      return makeError(ErrorCode::InvalidInput,
                       "the spool file ended at byte " + std::to_string(offset) +
                           ", before the end of its data set (it shrank while being sent)");
    }
    offset += static_cast<std::uint64_t>(n);
    auto left = static_cast<std::size_t>(n);
    while (first < slices.size() && left >= slices[first].iov_len) {
      left -= slices[first].iov_len;
      ++first;
    }
    if (left > 0) {
      slices[first].iov_base = static_cast<std::uint8_t*>(slices[first].iov_base) + left;
      slices[first].iov_len -= left;
    }
  }
  return okResult();
}

}  // namespace

std::uint8_t* FileStoreStreamer::bufferFor(std::size_t bytes) {
  if (bytes > capacity_) {
    buffer_ = std::make_unique<std::uint8_t[]>(bytes);
    capacity_ = bytes;
  }
  return buffer_.get();
}

Result<void> FileStoreStreamer::send(T_ASC_Association* association,
                                     const StreamedStoreRequest& request) {
  message_started_ = false;
  // Even, like DCMTK's: only the last fragment of a data set may have an odd length.
  const std::size_t max_pdv = request.max_pdv_bytes & ~std::uint32_t{1};
  if (max_pdv == 0) return makeError(ErrorCode::Internal, "no send PDV length");
  // The command PDU and at least one whole data PDU always fit in one batch.
  std::uint8_t* const buffer = bufferFor(std::max(
      kBatchBytes, 2 * kPDataHeaderBytes + request.command.size() + max_pdv));

  std::size_t used = 0;
  writePDataHeader(buffer, request.context_id, static_cast<std::uint32_t>(request.command.size()),
                   PdvKind::Command, /*last_fragment=*/true);
  used += kPDataHeaderBytes;
  std::memcpy(buffer + used, request.command.data(), request.command.size());
  used += request.command.size();

  std::uint64_t offset = request.data_set_offset;
  std::uint64_t remaining = request.data_set_length;
  std::vector<iovec> slices;
  while (remaining > 0) {
    // Lay out as many whole PDUs as fit, remembering where each payload goes.
    slices.clear();
    std::uint64_t batch_payload = 0;
    while (remaining > 0) {
      const auto payload = static_cast<std::size_t>(std::min<std::uint64_t>(max_pdv, remaining));
      if (used + kPDataHeaderBytes + payload > capacity_) break;
      remaining -= payload;
      writePDataHeader(buffer + used, request.context_id, static_cast<std::uint32_t>(payload),
                       PdvKind::DataSet, /*last_fragment=*/remaining == 0);
      used += kPDataHeaderBytes;
      slices.push_back(iovec{buffer + used, payload});
      used += payload;
      batch_payload += payload;
    }
    if (auto read = readSlices(request.fd, slices, offset); !read) return read;
    offset += batch_payload;

    message_started_ = true;
    if (auto written = writeToTransport(association, buffer, used); !written) return written;
    used = 0;
  }
  return okResult();
}

}  // namespace sundial::adapters::dicom
