// The HTTP server over real loopback TCP, talked to by a tiny blocking client written on
// POSIX sockets (so that this test does not compile Beast a second time).

#include "adapters/http/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sundial::adapters::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kReplyTimeout = 5s;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One blocking TCP connection to 127.0.0.1 with deadlines on every read.
class Client {
 public:
  explicit Client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      throw std::runtime_error(std::string("connect() failed: ") + std::strerror(errno));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~Client() { ::close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One response, framed by Content-Length; std::nullopt on timeout, EOF or garbage.
  std::optional<Reply> read(Clock::duration timeout = kReplyTimeout) {
    const auto deadline = Clock::now() + timeout;
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    Reply reply;
    std::string_view head(buffer_.data(), header_end);
    std::size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) return std::nullopt;
    reply.status = std::stoi(std::string(status_line.substr(9, 3)));
    while (line_end != std::string_view::npos) {
      std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string_view line = head.substr(
          start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
      std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = line.substr(colon + 1);
      while (value.starts_with(' ')) value.remove_prefix(1);
      reply.headers[name] = std::string(value);
    }
    std::size_t length = 0;
    if (auto it = reply.headers.find("content-length"); it != reply.headers.end()) {
      length = std::stoul(it->second);
    }
    if (head_only_) length = 0;
    const std::size_t body_start = header_end + 4;
    while (buffer_.size() < body_start + length) {
      if (!fill(deadline)) return std::nullopt;
    }
    reply.body = buffer_.substr(body_start, length);
    buffer_.erase(0, body_start + length);
    return reply;
  }

  // True once the server has closed the connection (EOF or reset) before the deadline.
  bool closedByPeer(Clock::duration timeout = kReplyTimeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      int result = waitReadable(deadline);
      if (result <= 0) return false;
      char byte;
      ssize_t n = ::recv(fd_, &byte, 1, 0);
      if (n <= 0) return true;
    }
  }

  // The next read() is the answer to a HEAD: headers only, whatever Content-Length says.
  void expectHeadOnly(bool head_only) { head_only_ = head_only; }

 private:
  int waitReadable(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(left.count()));
  }

  bool fill(Clock::time_point deadline) {
    if (waitReadable(deadline) <= 0) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  std::string buffer_;
  bool head_only_ = false;
};

std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

Response text(std::string body) {
  Response response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

class HttpServerTest : public ::testing::Test {
 protected:
  // Starts a server on an ephemeral loopback port with the test routes.
  void startServer(HttpOptions options = {}) {
    server_ = std::make_unique<HttpServer>("127.0.0.1", 0, options);
    server_->route("GET", "/health", [](const Request&) {
      Response response;
      response.body = R"({"status":"ok"})";
      response.headers.emplace_back("X-Sundial-Test", "yes");
      return response;
    });
    server_->route("GET", "/echo", [](const Request& request) {
      std::string out;
      for (const auto& [key, value] : request.query) out += key + "=" + value + ";";
      return text(out);
    });
    server_->route("POST", "/echo", [](const Request& request) {
      return text(request.body + "|" + request.headers.at("content-type"));
    });
    server_->route("GET", "/studies/*", [](const Request& request) {
      return text(request.path + "|" + request.path_tail);
    });
    server_->route("GET", "/boom", [](const Request&) -> Response {
      throw std::runtime_error("handler exploded");
    });
    server_->route("GET", "/slow", [](const Request&) {
      std::this_thread::sleep_for(50ms);
      return text("slow");
    });
    Result<std::uint16_t> port = server_->start();
    ASSERT_TRUE(port.ok()) << port.error().describe();
    port_ = *port;
  }

  void TearDown() override {
    if (server_) server_->stop();
  }

  std::optional<Reply> roundTrip(const std::string& request) {
    Client client(port_);
    if (!client.send(request)) return std::nullopt;
    return client.read();
  }

  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

TEST_F(HttpServerTest, GetReturnsTheHandlersBodyAndHeaders) {
  startServer();
  auto reply = roundTrip(get("/health"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"status":"ok"})");
  EXPECT_EQ(reply->headers["content-type"], "application/json");
  EXPECT_EQ(reply->headers["server"], "sundial");
  EXPECT_EQ(reply->headers["x-sundial-test"], "yes");
}

TEST_F(HttpServerTest, QueryAndPathAreDecoded) {
  startServer();
  auto reply = roundTrip(get("/echo?name=J%C3%B6rg+M&sum=1%2B1&flag&name=second"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "flag=;name=J\xC3\xB6rg M;sum=1+1;");

  reply = roundTrip(get("/studies/1.2%2E3/./series//4"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "/studies/1.2.3/series/4|1.2.3/series/4");
}

TEST_F(HttpServerTest, UnknownPathIs404WithAJsonError) {
  startServer();
  auto reply = roundTrip(get("/nowhere"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(reply->headers["content-type"], "application/json");
  EXPECT_EQ(reply->body, R"({"error":"no such path"})");
}

TEST_F(HttpServerTest, KnownPathWithWrongMethodIs405WithAllow) {
  startServer();
  auto reply = roundTrip(post("/health", "x"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 405);
  EXPECT_EQ(reply->headers["allow"], "GET, HEAD");
}

TEST_F(HttpServerTest, PostBodyReachesTheHandler) {
  startServer();
  auto reply = roundTrip(post("/echo", "hello"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello|text/plain");
}

TEST_F(HttpServerTest, OversizedBodyIs413AndTheConnectionCloses) {
  HttpOptions options;
  options.max_body_bytes = 1024;
  startServer(options);
  Client client(port_);
  ASSERT_TRUE(client.send(post("/echo", std::string(64 * 1024, 'x'))));
  auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_TRUE(client.closedByPeer());

  // Exactly at the limit is fine.
  reply = roundTrip(post("/echo", std::string(1024, 'y')));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413) {
  HttpOptions options;
  options.max_body_bytes = 1024;
  startServer(options);
  Client client(port_);
  std::string chunk(800, 'z');
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n320\r\n" +
                  chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
}

TEST_F(HttpServerTest, ExpectContinueGets100ThenTheAnswer) {
  startServer();
  Client client(port_);
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: a/b\r\n"
                  "Content-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.send("abc"));
  auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "abc|a/b");
}

TEST_F(HttpServerTest, MalformedRequestLineIs400AndTheConnectionCloses) {
  startServer();
  Client client(port_);
  ASSERT_TRUE(client.send("THIS IS NOT HTTP\r\n\r\n"));
  auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->headers["connection"], "close");
  EXPECT_TRUE(client.closedByPeer());
}

TEST_F(HttpServerTest, DotDotSegmentsAre400) {
  startServer();
  for (std::string target : {"/a/../b", "/studies/%2e%2E/health", "/studies/a%2F..%2Fb", "x"}) {
    auto reply = roundTrip(get(target));
    ASSERT_TRUE(reply) << target;
    EXPECT_EQ(reply->status, 400) << target;
    EXPECT_NE(reply->body.find("\"error\""), std::string::npos) << target;
  }
}

TEST_F(HttpServerTest, MissingHostInHttp11Is400) {
  startServer();
  auto reply = roundTrip("GET /health HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  HttpOptions options;
  options.max_header_bytes = 1024;
  startServer(options);
  auto reply = roundTrip(get("/health", "X-Big: " + std::string(4096, 'h') + "\r\n"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 431);
}

TEST_F(HttpServerTest, ThrowingHandlerIs500AndTheServerKeepsServing) {
  startServer();
  Client client(port_);
  ASSERT_TRUE(client.send(get("/boom")));
  auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body, R"({"error":"internal error"})");
  EXPECT_EQ(reply->body.find("exploded"), std::string::npos);

  // The same connection and a new one both still work.
  ASSERT_TRUE(client.send(get("/health")));
  reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  reply = roundTrip(get("/health"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  startServer();
  Client client(port_);
  ASSERT_TRUE(client.send(get("/health")));
  auto first = client.read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  ASSERT_TRUE(client.send(get("/echo?a=1")));
  auto second = client.read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "a=1;");

  // Pipelined: two requests in one write, two answers in order.
  ASSERT_TRUE(client.send(get("/echo?n=3") + get("/echo?n=4")));
  auto third = client.read();
  auto fourth = client.read();
  ASSERT_TRUE(third && fourth);
  EXPECT_EQ(third->body, "n=3;");
  EXPECT_EQ(fourth->body, "n=4;");
}

TEST_F(HttpServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  startServer();
  {
    Client client(port_);
    ASSERT_TRUE(client.send("GET /health HTTP/1.0\r\n\r\n"));
    auto reply = client.read();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
    EXPECT_TRUE(client.closedByPeer());
  }
  Client client(port_);
  ASSERT_TRUE(client.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->headers["connection"], "keep-alive");
  ASSERT_TRUE(client.send("GET /echo?b=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "b=2;");
}

TEST_F(HttpServerTest, HeadGetsTheHeadersOfGetWithoutTheBody) {
  startServer();
  Client client(port_);
  ASSERT_TRUE(client.send("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n"));
  client.expectHeadOnly(true);
  auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->headers["content-length"], "15");
  // Nothing follows the headers: the next answer on this connection starts right away.
  client.expectHeadOnly(false);
  ASSERT_TRUE(client.send(get("/echo?c=3")));
  reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "c=3;");
}

TEST_F(HttpServerTest, FiftyConcurrentConnectionsAreAllAnswered) {
  HttpOptions options;
  options.io_threads = 2;
  startServer(options);
  constexpr int kClients = 50;
  // Open every connection first, so that all 50 are live at once on the server.
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(std::make_unique<Client>(port_));
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Client& client = *clients[static_cast<std::size_t>(i)];
      if (!client.send(get("/echo?i=" + std::to_string(i)))) return;
      auto reply = client.read();
      if (reply && reply->status == 200 && reply->body == "i=" + std::to_string(i) + ";") {
        ++answered;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(answered.load(), kClients);
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitGet503) {
  HttpOptions options;
  options.max_connections = 2;
  startServer(options);
  Client first(port_);
  Client second(port_);
  // Make sure both are admitted before the third arrives.
  ASSERT_TRUE(first.send(get("/health")) && first.read());
  ASSERT_TRUE(second.send(get("/health")) && second.read());
  Client third(port_);
  auto reply = third.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  EXPECT_TRUE(third.closedByPeer());
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionsAreClosedAfterTheReadTimeout) {
  HttpOptions options;
  options.read_timeout = 200ms;
  startServer(options);
  Client client(port_);
  ASSERT_TRUE(client.send(get("/health")));
  ASSERT_TRUE(client.read());
  const auto start = Clock::now();
  EXPECT_TRUE(client.closedByPeer(3s));
  EXPECT_GE(Clock::now() - start, 150ms);
}

TEST_F(HttpServerTest, StopWithConnectedClientsReturnsPromptly) {
  startServer();
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<Client>(port_));
    ASSERT_TRUE(clients.back()->send(get("/health")));
    ASSERT_TRUE(clients.back()->read());  // admitted and now idle in keep-alive
  }
  Client half(port_);
  ASSERT_TRUE(half.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
  Client busy(port_);
  ASSERT_TRUE(busy.send(get("/slow")));

  const auto start = Clock::now();
  server_->stop();
  EXPECT_LT(Clock::now() - start, 1s);
  for (auto& client : clients) EXPECT_TRUE(client->closedByPeer(1s));
  EXPECT_TRUE(half.closedByPeer(1s));
  EXPECT_TRUE(busy.closedByPeer(1s));
  server_->stop();  // idempotent
}

TEST_F(HttpServerTest, StartReportsABusyPortAndABadAddress) {
  startServer();
  HttpServer same_port("127.0.0.1", port_, {});
  Result<std::uint16_t> busy = same_port.start();
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().code, ErrorCode::Unavailable);

  HttpServer bad_address("not-an-address", 0, {});
  Result<std::uint16_t> bad = bad_address.start();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
}

}  // namespace
}  // namespace sundial::adapters::http
