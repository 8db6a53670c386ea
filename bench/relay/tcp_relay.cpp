// tcp_relay: the benchmark's zero-work router (bench/run.sh, target `relay`). Every accepted
// connection is joined to a new connection to the reader and bytes are copied both ways
// (a blocking read and write of up to 256 KiB per turn, a thread per direction), with no
// DICOM parsing, no disk and no state. The data crosses loopback twice, as it does through
// any router between two local peers, and nothing else is done: its instances/s are the most
// a router can reach on this machine, and Sundial's ratio to it measures what Sundial's own
// work costs (parsing, the spool with fsync, the state in Redis) apart from the second
// crossing. Not part of Sundial; no error handling beyond giving up a connection.
//   tcp_relay LISTEN_PORT TARGET_HOST TARGET_PORT      (listens on 127.0.0.1)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;

// Copies `from` to `to` until `from` ends, then passes the end on.
void pump(int from, int to) {
  std::vector<char> buffer(kChunkBytes);
  for (;;) {
    ssize_t got = ::read(from, buffer.data(), buffer.size());
    if (got <= 0) break;
    for (ssize_t sent = 0; sent < got;) {
      ssize_t n = ::write(to, buffer.data() + sent, static_cast<std::size_t>(got - sent));
      if (n <= 0) {
        ::shutdown(to, SHUT_WR);
        return;
      }
      sent += n;
    }
  }
  ::shutdown(to, SHUT_WR);
}

void noDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Relays one accepted connection; both sockets are closed when both directions ended.
void relay(int client, sockaddr_in target) {
  int upstream = ::socket(AF_INET, SOCK_STREAM, 0);
  if (upstream < 0 ||
      ::connect(upstream, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
    std::perror("tcp_relay: connect to the target");
    if (upstream >= 0) ::close(upstream);
    ::close(client);
    return;
  }
  noDelay(client);
  noDelay(upstream);
  std::thread back(pump, upstream, client);
  pump(client, upstream);
  back.join();
  ::close(upstream);
  ::close(client);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tcp_relay LISTEN_PORT TARGET_HOST TARGET_PORT\n");
    return 2;
  }
  sockaddr_in listen_address{};
  listen_address.sin_family = AF_INET;
  listen_address.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[1])));
  listen_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[3])));
  if (::inet_pton(AF_INET, argv[2], &target.sin_addr) != 1) {
    std::fprintf(stderr, "tcp_relay: not an IPv4 address: %s\n", argv[2]);
    return 2;
  }
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&listen_address), sizeof listen_address) != 0 ||
      ::listen(listener, 64) != 0) {
    std::perror("tcp_relay: listen");
    return 1;
  }
  for (;;) {
    int client = ::accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    std::thread(relay, client, target).detach();
  }
}
