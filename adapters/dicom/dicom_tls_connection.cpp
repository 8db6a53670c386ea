#include "adapters/dicom/dicom_tls_connection.h"

#include <openssl/ssl.h>

#include <memory>

#include "dcmtk/dcmtls/tlstrans.h"

namespace sundial::adapters::dicom {
namespace {

// The SSL object of the handshake running on this thread. DCMTK keeps its SSL private; OpenSSL
// names it to the info callback, which runs on the handshaking thread, inside the handshake.
thread_local SSL* t_handshaking = nullptr;

extern "C" void noteHandshakingSsl(const SSL* ssl, int /*where*/, int /*ret*/) {
  t_handshaking = const_cast<SSL*>(ssl);
}

class ReadAheadTlsConnection final : public DcmTransportConnection {
 public:
  ReadAheadTlsConnection(DcmNativeSocketType socket, DcmTransportConnection* dcmtk_connection)
      : DcmTransportConnection(socket), inner_(dcmtk_connection) {}

  OFCondition serverSideHandshake() override {
    return afterHandshake([this] { return inner_->serverSideHandshake(); });
  }
  OFCondition clientSideHandshake() override {
    return afterHandshake([this] { return inner_->clientSideHandshake(); });
  }
  OFCondition renegotiate(const char* suite) override { return inner_->renegotiate(suite); }

  ~ReadAheadTlsConnection() override { unbufferWrites(); }

  ssize_t read(void* buf, size_t nbyte) override { return inner_->read(buf, nbyte); }

  // OpenSSL writes each TLS record (16 KB at most) with its own system call; the records of
  // one write go out together instead, and nothing stays buffered once write() returns.
  ssize_t write(void* buf, size_t nbyte) override {
    ssize_t written = inner_->write(buf, nbyte);
    if (write_buffer_ != nullptr && written > 0 && BIO_flush(write_buffer_) != 1) return -1;
    return written;
  }

  OFBool networkDataAvailable(int timeout) override {
    // Records read ahead are data waiting, although neither decrypted nor on the socket.
    if (ssl_ != nullptr && SSL_has_pending(ssl_) == 1) return OFTrue;
    return inner_->networkDataAvailable(timeout);
  }

  void close() override {
    unbufferWrites();  // DCMTK's shutdown writes its close_notify straight to the socket
    ssl_ = nullptr;    // DCMTK frees it now
    inner_->close();
  }
  void closeTransportConnection() override {
    unbufferWrites();
    ssl_ = nullptr;
    inner_->closeTransportConnection();
  }
  unsigned long getPeerCertificateLength() override { return inner_->getPeerCertificateLength(); }
  unsigned long getPeerCertificate(void* buf, unsigned long length) override {
    return inner_->getPeerCertificate(buf, length);
  }
  OFBool isTransparentConnection() override { return inner_->isTransparentConnection(); }
  OFString& dumpConnectionParameters(OFString& text) override {
    return inner_->dumpConnectionParameters(text);
  }

 private:
  // Read-ahead starts once the handshake is done, so the handshake itself is DCMTK's as is.
  template <typename Handshake>
  OFCondition afterHandshake(Handshake handshake) {
    t_handshaking = nullptr;
    OFCondition result = handshake();
    SSL* ssl = t_handshaking;
    t_handshaking = nullptr;
    if (result.good() && ssl != nullptr) {
      SSL_set_read_ahead(ssl, 1);
      ssl_ = ssl;
      bufferWrites();
    }
    return result;
  }

  // Puts a buffer between the SSL and its socket. The socket BIO gains a reference for the
  // chain; SSL_set0_wbio drops the one the SSL held as its write BIO.
  void bufferWrites() {
    BIO* socket_bio = SSL_get_wbio(ssl_);
    BIO* buffer = BIO_new(BIO_f_buffer());
    if (socket_bio == nullptr || buffer == nullptr ||
        BIO_set_write_buffer_size(buffer, kTlsWriteBufferBytes) != 1 ||
        BIO_up_ref(socket_bio) != 1) {
      BIO_free(buffer);
      return;  // unbuffered, as DCMTK writes
    }
    SSL_set0_wbio(ssl_, BIO_push(buffer, socket_bio));
    write_buffer_ = buffer;
  }

  // Back to the socket BIO alone (flushing first): the buffer's reference to it becomes the
  // SSL's, and SSL_set0_wbio frees the emptied buffer.
  void unbufferWrites() {
    if (write_buffer_ == nullptr || ssl_ == nullptr) return;
    BIO_flush(write_buffer_);
    BIO* socket_bio = BIO_pop(write_buffer_);
    SSL_set0_wbio(ssl_, socket_bio);
    write_buffer_ = nullptr;
  }

  std::unique_ptr<DcmTransportConnection> inner_;  // DCMTK's DcmTLSConnection
  SSL* ssl_ = nullptr;                             // inner_'s, once its handshake is done
  BIO* write_buffer_ = nullptr;                    // owned by ssl_ (its write BIO)
};

}  // namespace

ReadAheadTlsLayer::ReadAheadTlsLayer(T_ASC_NetworkRole role)
    : DcmTLSTransportLayer(role, nullptr, OFTrue) {
  if (SSL_CTX* context = getNativeHandle()) {
    SSL_CTX_set_info_callback(context, noteHandshakingSsl);
    // TLS 1.2 renegotiation is refused, as on the HTTPS and MLLP listeners: nothing here uses
    // it, and a handshake in the middle of a transfer would run under the write buffer.
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
    // Only used with read-ahead: how much one read from the socket may bring.
    SSL_CTX_set_default_read_buffer_len(context, kTlsReadBufferBytes);
  }
}

DcmTransportConnection* ReadAheadTlsLayer::createConnection(DcmNativeSocketType socket,
                                                            OFBool use_secure_layer) {
  DcmTransportConnection* connection =
      DcmTLSTransportLayer::createConnection(socket, use_secure_layer);
  if (connection == nullptr || !use_secure_layer) return connection;
  return new ReadAheadTlsConnection(socket, connection);
}

}  // namespace sundial::adapters::dicom
