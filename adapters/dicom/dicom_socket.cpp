#include "adapters/dicom/dicom_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "dcmtk/dcmnet/dcmtrans.h"
#include "dcmtk/dcmnet/dulstruc.h"

namespace sundial::adapters::dicom {
namespace {

// The association key's layout is public (dulstruc.h) and the connection's getSocket() is
// protected, reached here through a member pointer named via a subclass.
struct SocketAccess : DcmTransportConnection {
  static int of(DcmTransportConnection* connection) {
    return (connection->*(&SocketAccess::getSocket))();
  }
};

DcmTransportConnection* connectionOf(T_ASC_Association* association) {
  if (association == nullptr || association->DULassociation == nullptr) return nullptr;
  return static_cast<PRIVATE_ASSOCIATIONKEY*>(association->DULassociation)->connection;
}

void setCork(int fd, int on) { ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on); }

}  // namespace

int socketOf(T_ASC_Association* association) {
  DcmTransportConnection* connection = connectionOf(association);
  return connection == nullptr ? -1 : SocketAccess::of(connection);
}

Result<void> writeToTransport(T_ASC_Association* association, std::uint8_t* data,
                              std::size_t size) {
  DcmTransportConnection* connection = connectionOf(association);
  if (connection == nullptr) return makeError(ErrorCode::Unavailable, "no transport connection");
  std::size_t written = 0;
  while (written < size) {
    errno = 0;
    ssize_t n = connection->write(data + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // TLS reports through OpenSSL and may leave errno at 0.
      std::string reason = errno != 0 ? std::strerror(errno) : "connection closed";
      return makeError(ErrorCode::Unavailable, "write failed after " + std::to_string(written) +
                                                   " of " + std::to_string(size) +
                                                   " bytes: " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  return okResult();
}

SocketCork::SocketCork(T_ASC_Association* association) : fd_(socketOf(association)) {
  if (fd_ >= 0) setCork(fd_, 1);
}

void SocketCork::release() {
  if (fd_ < 0) return;
  setCork(fd_, 0);  // sends what the kernel held back, at once
  fd_ = -1;
}

}  // namespace sundial::adapters::dicom
