#pragma once
// Sends one C-STORE-RQ message on an open association: the command set, then a data set
// copied byte for byte from a file, never parsed. The bytes go out as P-DATA-TF PDUs of one
// PDV each, no larger than the association's send PDV length (what DCMTK itself uses, so the
// peer's maximum PDU holds), several PDUs per system call: one preadv() fills the payloads of
// a batch straight from the file, one write through the association's transport connection
// (TCP or TLS) sends the batch. Owned by one SendAssociation, so by one thread.
//
// Internal to adapters/dicom.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/domain/result.h"

struct T_ASC_Association;

namespace sundial::adapters::dicom {

struct StreamedStoreRequest {
  std::uint8_t context_id = 0;
  std::vector<std::uint8_t> command;  // the encoded command set (encodeCStoreRequest)
  int fd = -1;                        // the file holding the data set
  std::uint64_t data_set_offset = 0;
  std::uint64_t data_set_length = 0;  // > 0
  std::uint32_t max_pdv_bytes = 0;    // the association's sendPDVLength
};

class FileStoreStreamer {
 public:
  // Most bytes one write carries (and the buffer's size, unless one PDU needs more).
  static constexpr std::size_t kBatchBytes = 256 * 1024;

  // Unavailable: the transport failed. InvalidInput: the file could not be read or ended
  // early. Either way, if messageStarted() some of the message is on the wire and the
  // association cannot carry another one: the caller must abort it.
  Result<void> send(T_ASC_Association* association, const StreamedStoreRequest& request);

  bool messageStarted() const { return message_started_; }

 private:
  std::uint8_t* bufferFor(std::size_t bytes);

  std::unique_ptr<std::uint8_t[]> buffer_;  // kept between messages
  std::size_t capacity_ = 0;
  bool message_started_ = false;
};

}  // namespace sundial::adapters::dicom
