#include "adapters/dicom/dicom_socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

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

void setCork(int fd, int on) { ::setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on); }

}  // namespace

int socketOf(T_ASC_Association* association) {
  if (association == nullptr || association->DULassociation == nullptr) return -1;
  auto* key = static_cast<PRIVATE_ASSOCIATIONKEY*>(association->DULassociation);
  if (key->connection == nullptr) return -1;
  return SocketAccess::of(key->connection);
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
