#pragma once
// The transport under a DCMTK association: its TCP socket, the corking of it while a data set
// is sent, and writing bytes through it (plain TCP or TLS alike).

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires

#include <cstddef>
#include <cstdint>

#include "dcmtk/dcmnet/assoc.h"
#include "engine/domain/result.h"

namespace sundial::adapters::dicom {

// The socket descriptor of the association's connection, or -1. DCMTK offers no public
// accessor: see the definition.
int socketOf(T_ASC_Association* association);

// Writes all `size` bytes through the association's DcmTransportConnection, so that DICOM TLS
// encrypts them as it does DCMTK's own PDUs. Short writes are continued; Unavailable with the
// system's reason when the connection fails (some of the bytes may then be on the wire).
// Blocking, like DCMTK's own writes. SIGPIPE must be ignored (prepareDicomSendProcess).
Result<void> writeToTransport(T_ASC_Association* association, std::uint8_t* data,
                              std::size_t size);

// Holds the socket's small writes back while a data set is sent (TCP_CORK), and lets them go
// when released or destroyed. DCMTK writes every PDU as a 12-byte header and its data in two
// write() calls and runs with TCP_NODELAY (DEPENDENCIES.md: without it, Nagle and delayed ACKs
// stall every message): each PDU then leaves as two packets, 64 for a 0.5 MB instance at a
// 16 KB PDU size. Corked, the kernel sends full segments; release() pushes out the tail at
// once, so no delay is added (never wait for an answer while corked).
class SocketCork {
 public:
  explicit SocketCork(T_ASC_Association* association);
  ~SocketCork() { release(); }
  SocketCork(const SocketCork&) = delete;
  SocketCork& operator=(const SocketCork&) = delete;

  void release();

 private:
  int fd_ = -1;
};

}  // namespace sundial::adapters::dicom
