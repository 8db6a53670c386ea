#include "adapters/syslog/tls_syslog_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/audit/syslog_message.h"

namespace sundial::adapters::syslog {
namespace {

std::string opensslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? "no detail" : out;
}

bool isIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

void setTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// A TCP connection within the deadline, or -1 with `error` set.
int connectTcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout,
               std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    error = std::string("cannot resolve: ") + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        int so_error = 0;
        socklen_t length = sizeof so_error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length);
        if (so_error == 0) break;
        errno = so_error;
      } else {
        errno = ETIMEDOUT;
      }
    }
    error = std::string("cannot connect: ") + std::strerror(errno);
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0) return -1;
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

struct TlsSyslogTransport::Impl {
  TlsSyslogOptions options;
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  int fd = -1;
  std::string context;  // "host:port" for errors

  Result<void> makeContext() {
    if (ctx) return okResult();
    ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return makeError(ErrorCode::Internal, "no TLS context: " + opensslErrors(), context);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr) != 1) {
      return fail(ErrorCode::Rejected, "cannot load the CA file " + options.ca_file.string());
    }
    if (!options.client_cert_file.empty()) {
      if (SSL_CTX_use_certificate_chain_file(ctx, options.client_cert_file.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(ctx, options.client_key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
          SSL_CTX_check_private_key(ctx) != 1) {
        return fail(ErrorCode::Rejected,
                    "cannot use the client certificate " + options.client_cert_file.string());
      }
    }
    return okResult();
  }

  Error fail(ErrorCode code, const std::string& what) {
    Error error = makeError(code, what + ": " + opensslErrors(), context);
    if (ctx && code == ErrorCode::Rejected) {
      SSL_CTX_free(ctx);
      ctx = nullptr;
    }
    return error;
  }

  Result<void> connect() {
    if (auto made = makeContext(); !made) return made;
    std::string error;
    fd = connectTcp(options.host, options.port, options.connect_timeout, error);
    if (fd < 0) return makeError(ErrorCode::Unavailable, error, context);
    setTimeouts(fd, options.io_timeout);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    const std::string name = options.server_name.empty() ? options.host : options.server_name;
    if (isIpAddress(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, name.c_str());
      SSL_set1_host(ssl, name.c_str());
    }
    if (SSL_connect(ssl) != 1) {
      long verify = SSL_get_verify_result(ssl);
      std::string reason = verify != X509_V_OK
                               ? std::string("the repository's certificate is not trusted: ") +
                                     X509_verify_cert_error_string(verify)
                               : "TLS handshake failed: " + opensslErrors();
      close();
      return makeError(ErrorCode::Unavailable, reason, context);
    }
    return okResult();
  }

  // Whether the repository closed the connection (or sent close_notify) since the last send:
  // writing into a connection the peer already closed would "succeed" and lose the message.
  bool peerClosed() {
    char byte;
    ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
    // TLS records are waiting (session tickets, an alert): let OpenSSL read them without
    // blocking; only a close or an error counts.
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    char buffer[256];
    int r = SSL_read(ssl, buffer, sizeof buffer);
    int code = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
    fcntl(fd, F_SETFL, flags);
    return code == SSL_ERROR_ZERO_RETURN || code == SSL_ERROR_SYSCALL || code == SSL_ERROR_SSL;
  }

  void close() {
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
      ssl = nullptr;
    }
    if (fd >= 0) ::close(fd);
    fd = -1;
    ERR_clear_error();
  }
};

TlsSyslogTransport::TlsSyslogTransport(TlsSyslogOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->context = options.host + ":" + std::to_string(options.port);
  impl_->options = std::move(options);
}

TlsSyslogTransport::~TlsSyslogTransport() {
  impl_->close();
  if (impl_->ctx) SSL_CTX_free(impl_->ctx);
}

Result<void> TlsSyslogTransport::send(std::string_view syslog_message) {
  if (impl_->ssl && impl_->peerClosed()) impl_->close();
  if (!impl_->ssl) {
    if (auto connected = impl_->connect(); !connected) return connected;
  }
  std::string frame = engine::audit::octetCountedFrame(syslog_message);
  std::size_t done = 0;
  while (done < frame.size()) {
    int n = SSL_write(impl_->ssl, frame.data() + done, static_cast<int>(frame.size() - done));
    if (n <= 0) {
      std::string reason = "cannot send: " + opensslErrors();
      impl_->close();
      return makeError(ErrorCode::Unavailable, reason, impl_->context);
    }
    done += static_cast<std::size_t>(n);
  }
  return okResult();
}

void TlsSyslogTransport::close() { impl_->close(); }

}  // namespace sundial::adapters::syslog
