#pragma once
// A plain blocking POSIX TCP client and a one-shot listener for the MLLP tests: bytes the
// Sundial client and server would never send (garbage, oversize, frames without end).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sundial::hl7::testing {

class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }

  bool sendAll(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until `end` has been seen, the peer closes, or `timeout` passes. `closed` says
  // whether the peer closed the connection.
  std::string readUntil(char end, std::chrono::milliseconds timeout, bool* closed = nullptr) {
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (closed) *closed = false;
    while (got.find(end) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }

  // True when the peer closes within `timeout` (any bytes before are discarded).
  bool closedWithin(std::chrono::milliseconds timeout) {
    bool closed = false;
    readUntil('\0', timeout, &closed);
    return closed;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Listens on 127.0.0.1, any port; accept() takes one connection.
class RawListener {
 public:
  RawListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 4);
    socklen_t size = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~RawListener() { ::close(fd_); }
  std::uint16_t port() const { return port_; }

  // Accepts one connection, reads once, answers `reply`, closes.
  void answerOnce(std::string_view reply) {
    const int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) return;
    char buffer[65536];
    (void)::recv(client, buffer, sizeof buffer, 0);
    (void)::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(client);
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace sundial::hl7::testing
