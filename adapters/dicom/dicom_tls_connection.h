#pragma once
// DICOM TLS connections that read ahead. DCMTK's own TLS connection lets OpenSSL read each
// TLS record with two system calls (its 5-byte header, then its body) and, while a data set
// arrives in 16 KB records, wakes the receiving thread for every one of them. Read-ahead
// lets OpenSSL take everything the socket holds in one call (up to kTlsReadBufferBytes).
//
// Read-ahead alone breaks DCMTK: before a timed read DCMTK asks the connection whether data
// is waiting, and DcmTLSConnection answers from SSL_pending() (decrypted bytes) and then the
// socket. Records already read ahead but not yet decrypted are in neither, so DCMTK would wait
// on an empty socket for data it already holds. ReadAheadTlsConnection wraps DCMTK's
// connection and answers that question with SSL_has_pending() first.
//
// On the way out, OpenSSL writes every record with its own system call: a 256 KB write is
// sixteen. The connection puts a buffer BIO between the SSL and its socket once the handshake
// is done and flushes it at the end of every write(), so a write's records leave together and
// nothing is ever left waiting in the buffer. Everything else (the handshake, certificate
// checks, reads, close) is DCMTK's, unchanged.
//
// Internal to adapters/dicom (DCMTK and OpenSSL types).

#include "dcmtk/config/osconfig.h"  // first, as DCMTK requires
#include "dcmtk/dcmtls/tlslayer.h"

namespace sundial::adapters::dicom {

// OpenSSL's read buffer with read-ahead: room for several full TLS records.
inline constexpr std::size_t kTlsReadBufferBytes = 128 * 1024;
// The records of one write are gathered up to this much before a system call.
inline constexpr int kTlsWriteBufferBytes = 256 * 1024;

// DCMTK's TLS transport layer whose connections read ahead (see above).
class ReadAheadTlsLayer final : public DcmTLSTransportLayer {
 public:
  explicit ReadAheadTlsLayer(T_ASC_NetworkRole role);

  DcmTransportConnection* createConnection(DcmNativeSocketType socket,
                                           OFBool use_secure_layer) override;
};

}  // namespace sundial::adapters::dicom
