#include "adapters/http/http_server.h"

// Boost 1.74's Asio uses std::exchange without including <utility>, which GCC 12 in C++20
// mode does not pull in: it must come before any Asio header (DEPENDENCIES.md §3.9).
// This is the only translation unit that includes Beast (it costs ~20 s to compile).
// clang-format off
#include <utility>
// clang-format on

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cassert>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "adapters/http/beast_request.h"
#include "adapters/http/request_dispatch.h"
#include "adapters/http/response_stream.h"
#include "adapters/http/route_table.h"
#include "adapters/http/tls_context.h"
#include "engine/domain/log.h"
#include "engine/domain/thread_name.h"

namespace sundial::adapters::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr std::string_view kServerName = "sundial";
constexpr std::string_view kInternalErrorMessage = "internal error";
using beast_request::toLower;
using beast_request::toStd;
// After an error response, the client may still be sending (a refused 2 MiB body): read and
// discard for a while before closing, or the kernel answers the unread bytes with a reset
// that can destroy the response before the client reads it.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr std::size_t kLingerMaxBytes = 16 * 1024 * 1024;
// A streamed response whose client does not read falls behind; beyond this much unwritten,
// the connection is closed rather than letting the backlog grow without bound.
constexpr std::size_t kMaxStreamBacklogBytes = 4 * 1024 * 1024;
// Pause after a failed accept (out of file descriptors) so that it does not spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// Beast 1.74 speaks boost::string_view; the rest of Sundial speaks std::string_view.
beast::string_view toBeast(std::string_view text) { return {text.data(), text.size()}; }

bool hasControlCharacters(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Headers the server sets itself; a handler's copies are dropped.
bool isServerHeader(std::string_view lower_name) {
  return lower_name == "content-type" || lower_name == "content-length" ||
         lower_name == "transfer-encoding" || lower_name == "connection" || lower_name == "server";
}

// What the registry of open connections needs of one, whatever its stream (TCP or TLS).
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close() = 0;
  // For a streamed response (SessionStream), from any thread.
  virtual void postStreamBytes(std::string bytes) = 0;
  virtual void closeStreamWhenDrained() = 0;
};

// The StreamSink of one streamed response: forwards bytes to its session's strand. Holds the
// session weakly, so a producer keeping a sink does not keep a closed connection alive.
class SessionStream final : public StreamSink {
 public:
  explicit SessionStream(std::weak_ptr<SessionBase> session) : session_(std::move(session)) {}
  bool send(std::string bytes) override;
  bool open() const override { return open_.load(); }
  void close() override;
  void markClosed() { open_.store(false); }

 private:
  std::weak_ptr<SessionBase> session_;
  std::atomic<bool> open_{true};
};

// What every connection shares: the options, the frozen routes and the registry of open
// connections (for stop() and max_connections). Any io thread and the owner's thread.
class ServerState {
 public:
  enum class Admission { Admitted, OverLimit, Stopping };

  ServerState(HttpOptions options, RouteTable routes, Gate gate,
              std::unique_ptr<TlsContextSource> tls)
      : options_(std::move(options)),
        routes_(std::move(routes)),
        gate_(std::move(gate)),
        tls_(std::move(tls)) {}

  const HttpOptions& options() const { return options_; }
  const RouteTable& routes() const { return routes_; }
  const Gate& gate() const { return gate_; }
  // HTTPS: the context for a new connection (reloaded when the files change); null for HTTP.
  TlsContextSource* tls() const { return tls_.get(); }

  // Registers the session unless stopping; OverLimit sessions are registered too (so that
  // stop() reaches them) and must answer 503 and close.
  Admission admit(const std::shared_ptr<SessionBase>& session) {
    std::lock_guard lock(mutex_);
    if (stopping_) return Admission::Stopping;
    sessions_.emplace(session.get(), session);
    return sessions_.size() > options_.max_connections ? Admission::OverLimit : Admission::Admitted;
  }

  void leave(const SessionBase* session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
  }

  // From now on nothing is admitted; returns the open sessions for the caller to close.
  // The caller must drop them outside this lock: a last reference runs ~Session, which
  // calls leave().
  std::vector<std::shared_ptr<SessionBase>> beginStop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    std::vector<std::shared_ptr<SessionBase>> open;
    for (const auto& [key, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
    return open;
  }

 private:
  const HttpOptions options_;
  const RouteTable routes_;
  const Gate gate_;  // may be empty
  const std::unique_ptr<TlsContextSource> tls_;  // null: plain HTTP
  std::mutex mutex_;  // guards stopping_ and sessions_
  bool stopping_ = false;
  std::unordered_map<const SessionBase*, std::weak_ptr<SessionBase>> sessions_;
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr std::chrono::seconds kHandshakeTimeout{10};

// One connection: reads requests, calls handlers, writes responses, in order. Everything
// runs on the connection's strand; close() may be called from any thread. Stream is a plain
// TCP stream or a TLS stream over one (HTTPS: the handshake comes first).
template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  Session(tcp::socket socket, std::shared_ptr<ServerState> state)
    requires(!kTls)
      : stream_(std::move(socket)), state_(std::move(state)) {
    rememberPeer();
  }
  // The context is kept alive by the session: a reload may replace the server's meanwhile.
  Session(tcp::socket socket, std::shared_ptr<ServerState> state,
          std::shared_ptr<asio::ssl::context> context)
    requires(kTls)
      : context_(std::move(context)),
        stream_(std::move(socket), *context_),
        state_(std::move(state)) {
    rememberPeer();
  }
  ~Session() override { state_->leave(this); }

  void run() {
    if constexpr (kTls) {
      asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        beast::get_lowest_layer(self->stream_).expires_after(kHandshakeTimeout);
        self->stream_.async_handshake(
            asio::ssl::stream_base::server,
            beast::bind_front_handler(&Session::onHandshake, self));
      });
    } else {
      asio::dispatch(stream_.get_executor(),
                     beast::bind_front_handler(&Session::readHeader, shared_from_this()));
    }
  }

  // Over max_connections: answer 503 without reading a request.
  void refuse() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->sendError(503, "too many connections", 11);
    });
  }

  void close() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->closeNow(); });
  }

  // From SessionStream, any thread.
  void postStreamBytes(std::string bytes) override {
    asio::post(stream_.get_executor(), [self = shared_from_this(), bytes = std::move(bytes)]() mutable {
      self->queueStreamBytes(std::move(bytes));
    });
  }
  void closeStreamWhenDrained() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->writing_) {
        self->close_when_drained_ = true;
      } else {
        self->closeNow();
      }
    });
  }

 private:
  auto& lowest() { return beast::get_lowest_layer(stream_); }

  void rememberPeer() {
    error_code ec;
    tcp::endpoint peer = lowest().socket().remote_endpoint(ec);
    if (!ec) peer_address_ = peer.address().to_string();
  }

  // A client offering only old protocols, or plain HTTP on the HTTPS port, ends here.
  void onHandshake(error_code ec) {
    if (ec) {
      log::warn("https_handshake_failed", {{"peer", peer_address_}, {"reason", ec.message()}});
      return closeNow();
    }
    readHeader();
  }

  void closeNow() {
    closed_ = true;
    if (stream_sink_) stream_sink_->markClosed();
    lowest().close();
  }

  // A streamed response: the head now, then whatever the producer sends, until either side
  // closes. No further request is read on this connection.
  void startStream(Response response, unsigned version, bool head) {
    if (!isFinalStatus(response.status)) response.status = 500;
    std::string text = version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    text += std::to_string(response.status) + " ";
    text += toStd(bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(response.status))));
    text += "\r\nServer: ";
    text += kServerName;
    if (!response.content_type.empty() && !hasControlCharacters(response.content_type)) {
      text += "\r\nContent-Type: " + response.content_type;
    }
    for (const auto& [name, value] : response.headers) {
      if (name.empty() || hasControlCharacters(name) || hasControlCharacters(value) ||
          isServerHeader(toLower(name))) {
        continue;
      }
      text += "\r\n" + name + ": " + value;
    }
    text += "\r\nConnection: close\r\n\r\n";
    stream_sink_ = std::make_shared<SessionStream>(
        std::weak_ptr<SessionBase>(this->weak_from_this().lock()));
    watchForClientClose();
    queueStreamBytes(std::move(text));
    if (head) {
      closeStreamWhenDrained();
      return;
    }
    // Nothing may escape the io thread (see dispatchRequest).
    try {
      response.stream(stream_sink_);
    } catch (const std::exception& e) {
      log::error("http_stream_start_failed", {{"what", e.what()}});
      closeNow();
    }
  }

  // A streamed response's client sends nothing more; a read ends only when it goes away.
  void watchForClientClose() {
    lowest().expires_never();
    stream_.async_read_some(asio::buffer(discard_),
                            beast::bind_front_handler(&Session::onStreamClientData, shared_from_this()));
  }

  void onStreamClientData(error_code ec, std::size_t) {
    if (closed_) return;
    if (ec) {
      log::debug("http_stream_closed", {{"peer", peer_address_}, {"reason", ec.message()}});
      return closeNow();
    }
    stream_.async_read_some(asio::buffer(discard_),
                            beast::bind_front_handler(&Session::onStreamClientData, shared_from_this()));
  }

  void queueStreamBytes(std::string bytes) {
    if (closed_) return;
    stream_backlog_ += bytes.size();
    if (stream_backlog_ > kMaxStreamBacklogBytes) {
      log::warn("http_stream_too_slow", {{"peer", peer_address_},
                                         {"backlog_bytes", std::to_string(stream_backlog_)}});
      return closeNow();
    }
    stream_out_.push_back(std::move(bytes));
    if (!writing_) writeStream();
  }

  void writeStream() {
    writing_ = true;
    lowest().expires_after(state_->options().write_timeout);
    asio::async_write(stream_, asio::buffer(stream_out_.front()),
                      beast::bind_front_handler(&Session::onStreamWritten, shared_from_this()));
  }

  void onStreamWritten(error_code ec, std::size_t) {
    if (ec) return onWriteError(ec);
    stream_backlog_ -= stream_out_.front().size();
    stream_out_.pop_front();
    if (!stream_out_.empty()) return writeStream();
    writing_ = false;
    if (close_when_drained_) closeNow();
  }

  void readHeader() {
    if (closed_) return;
    parser_.emplace();
    beast_request::limitParser(*parser_, state_->options());
    lowest().expires_after(state_->options().read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::onHeader, shared_from_this()));
  }

  void onHeader(error_code ec, std::size_t) {
    if (ec) return onReadError(ec);
    const auto& message = parser_->get();
    if (auto refused = beast_request::refuseHeader(message)) {
      // A version we do not speak gets its answer in one we do.
      const bool known_version = message.version() == 10 || message.version() == 11;
      return sendError(refused->status, refused->message, known_version ? message.version() : 11);
    }
    if (parser_->is_done()) return handleRequest();
    if (message.version() == 11 && beast::iequals(message[bhttp::field::expect], "100-continue")) {
      continue_.emplace(bhttp::status::continue_, message.version());
      return bhttp::async_write(
          stream_, *continue_,
          beast::bind_front_handler(&Session::onContinueWritten, shared_from_this()));
    }
    readBody();
  }

  void onContinueWritten(error_code ec, std::size_t) {
    if (ec) return onWriteError(ec);
    readBody();
  }

  void readBody() {
    if (closed_) return;
    lowest().expires_after(state_->options().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::onBody, shared_from_this()));
  }

  void onBody(error_code ec, std::size_t) {
    if (ec) return onReadError(ec);
    handleRequest();
  }

  void onReadError(const error_code& ec) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    std::optional<beast_request::Refusal> refused = beast_request::refuseParseError(ec);
    if (!refused) {
      // A clean end between requests, an idle keep-alive connection timing out, a client
      // leaving mid-request: nothing to answer.
      log::debug("http_connection_closed", {{"peer", peer_address_}, {"reason", ec.message()}});
      return closeNow();
    }
    sendError(refused->status, refused->message, 11, ec.message());
  }

  void onWriteError(const error_code& ec) {
    if (!closed_ && ec != asio::error::operation_aborted) {
      log::debug("http_write_failed", {{"peer", peer_address_}, {"reason", ec.message()}});
    }
    closeNow();
  }

  // An error before any handler: answer with Connection: close, then close.
  void sendError(int status, std::string_view message, unsigned version,
                 std::string_view detail = {}) {
    log::warn("http_request_refused", {{"peer", peer_address_},
                                       {"status", std::to_string(status)},
                                       {"reason", detail.empty() ? message : detail}});
    prepareResponse(jsonError(status, message), version, false, false);
    write(true);
  }

  void handleRequest() {
    if (closed_) return;
    auto& message = parser_->get();
    const unsigned version = message.version();
    const bool keep_alive = message.keep_alive();
    const bool head = message.method() == bhttp::verb::head;

    Result<Request> parsed = beast_request::toRequest(message, peer_address_);
    if (!parsed) {
      // The message itself was well framed: refuse the target, keep the connection.
      log::warn("http_request_refused",
                {{"peer", peer_address_}, {"status", "400"}, {"reason", parsed.error().message}});
      prepareResponse(jsonError(400, parsed.error().message), version, keep_alive, head);
      return write(!keep_alive);
    }
    Request& request = parsed.value();

    Response response = dispatchRequest(state_->gate(), state_->routes(), request);
    log::debug("http_request", {{"method", request.method},
                                {"path", log::identifying(request.path)},
                                {"status", std::to_string(response.status)},
                                {"peer", peer_address_}});
    if (response.stream) return startStream(std::move(response), version, head);
    prepareResponse(std::move(response), version, keep_alive, head);
    write(!keep_alive);
  }

  void prepareResponse(Response response, unsigned version, bool keep_alive, bool head) {
    if (!isFinalStatus(response.status)) {
      // 1xx cannot be a final answer; anything outside 100..599 is not HTTP.
      log::error("http_handler_bad_status", {{"status", std::to_string(response.status)}});
      response = jsonError(500, kInternalErrorMessage);
    }
    response_ = {};
    response_.version(version);
    response_.result(static_cast<unsigned>(response.status));
    response_.set(bhttp::field::server, toBeast(kServerName));
    for (const auto& [name, value] : response.headers) {
      std::string lower = toLower(name);
      if (name.empty() || hasControlCharacters(name) || hasControlCharacters(value)) {
        log::warn("http_header_dropped", {{"reason", "control characters or empty name"}});
        continue;
      }
      if (isServerHeader(lower)) continue;
      response_.insert(name, value);
    }
    response_.keep_alive(keep_alive);
    // RFC 7230 §3.3.2: no body and no Content-Length in a 204; a 304 has no body either.
    if (response.status == 204 || response.status == 304) return;
    if (!response.content_type.empty() && !hasControlCharacters(response.content_type)) {
      response_.set(bhttp::field::content_type, response.content_type);
    }
    response_.content_length(response.body.size());
    // HEAD: the headers a GET would get, without the body.
    if (!head) response_.body() = std::move(response.body);
  }

  void write(bool close_after) {
    if (closed_) return;
    lowest().expires_after(state_->options().write_timeout);
    bhttp::async_write(
        stream_, response_,
        beast::bind_front_handler(&Session::onWrite, shared_from_this(), close_after));
  }

  void onWrite(bool close_after, error_code ec, std::size_t) {
    if (ec) return onWriteError(ec);
    if (close_after) return lingerClose();
    readHeader();
  }

  void lingerClose() {
    if (closed_) return;
    lowest().expires_after(kLingerTimeout);
    if constexpr (kTls) {
      // close_notify, then the TCP close: the client knows the response was whole.
      stream_.async_shutdown([self = shared_from_this()](error_code) { self->closeNow(); });
      return;
    } else {
      error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  void drain() {
    stream_.async_read_some(asio::buffer(discard_),
                            beast::bind_front_handler(&Session::onDrained, shared_from_this()));
  }

  void onDrained(error_code ec, std::size_t bytes) {
    discarded_ += bytes;
    if (ec || closed_ || discarded_ > kLingerMaxBytes) return closeNow();
    drain();
  }

  std::shared_ptr<asio::ssl::context> context_;  // TLS only; before stream_, which uses it
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  bhttp::response<bhttp::string_body> response_;
  std::array<char, 4096> discard_{};
  std::size_t discarded_ = 0;
  bool closed_ = false;  // once set, no new operation starts
  // A streamed response (startStream): bytes waiting to be written, in order.
  std::shared_ptr<SessionStream> stream_sink_;
  std::deque<std::string> stream_out_;
  std::size_t stream_backlog_ = 0;
  bool writing_ = false;
  bool close_when_drained_ = false;
  std::shared_ptr<ServerState> state_;
  std::string peer_address_;
};

bool SessionStream::send(std::string bytes) {
  if (!open_.load()) return false;
  auto session = session_.lock();
  if (!session) {
    open_.store(false);
    return false;
  }
  session->postStreamBytes(std::move(bytes));
  return true;
}

void SessionStream::close() {
  if (auto session = session_.lock()) session->closeStreamWhenDrained();
  open_.store(false);
}

// Accepts connections until closed. Runs on its own strand; close() from any thread.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, tcp::acceptor acceptor, std::shared_ptr<ServerState> state)
      : io_(io),
        acceptor_(std::move(acceptor)),
        retry_timer_(acceptor_.get_executor()),
        state_(std::move(state)) {}

  void run() {
    asio::dispatch(acceptor_.get_executor(),
                   beast::bind_front_handler(&Listener::accept, shared_from_this()));
  }

  void close() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_timer_.cancel();
    });
  }

 private:
  void accept() {
    if (!acceptor_.is_open()) return;
    acceptor_.async_accept(asio::make_strand(io_),
                           beast::bind_front_handler(&Listener::onAccept, shared_from_this()));
  }

  void onAccept(error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      log::warn("http_accept_failed", {{"reason", ec.message()}});
      retry_timer_.expires_after(kAcceptRetryDelay);
      retry_timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
        if (!wait_ec) self->accept();
      });
      return;
    }
    error_code ignored;
    // Without it, small keep-alive responses meet Nagle and delayed ACK (DEPENDENCIES.md §3.9).
    socket.set_option(tcp::no_delay(true), ignored);
    std::shared_ptr<SessionBase> session;
    std::function<void()> run, refuse;
    if (TlsContextSource* tls = state_->tls()) {
      auto https = std::make_shared<Session<TlsStream>>(std::move(socket), state_, tls->current());
      run = [https] { https->run(); };
      refuse = [https] { https->close(); };  // no 503 before a handshake: just close
      session = std::move(https);
    } else {
      auto http = std::make_shared<Session<PlainStream>>(std::move(socket), state_);
      run = [http] { http->run(); };
      refuse = [http] { http->refuse(); };
      session = std::move(http);
    }
    switch (state_->admit(session)) {
      case ServerState::Admission::Admitted:
        run();
        break;
      case ServerState::Admission::OverLimit:
        refuse();
        break;
      case ServerState::Admission::Stopping:
        break;  // ~Session closes the socket
    }
    accept();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  std::shared_ptr<ServerState> state_;
};

void runIoThread(asio::io_context& io) {
  nameThisThread("http");
  // Handlers catch their own exceptions; this is the last line, so that an io thread never
  // dies (and takes the process with it through std::terminate).
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception& e) {
      log::error("http_io_thread_exception", {{"what", e.what()}});
    } catch (...) {
      log::error("http_io_thread_exception", {{"what", "a non-standard exception"}});
    }
  }
}

Error bindError(ErrorCode code, std::string message, const std::string& address,
                std::uint16_t port) {
  return makeError(code, std::move(message),
                   "http listener " + address + ":" + std::to_string(port));
}

}  // namespace

struct HttpServer::Impl {
  std::string bind_address;
  std::uint16_t port;
  HttpOptions options;
  RouteTable routes;  // moved into state on start()
  Gate gate;          // moved into state on start()
  bool started = false;
  bool stopped = false;
  std::unique_ptr<asio::io_context> io;
  std::shared_ptr<ServerState> state;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
};

HttpServer::HttpServer(std::string bind_address, std::uint16_t port, HttpOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->bind_address = std::move(bind_address);
  impl_->port = port;
  impl_->options = std::move(options);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::route(std::string method, std::string path, Handler handler) {
  // Routes are read without a lock by the io threads: adding one later would race.
  assert(!impl_->started && "HttpServer::route() after start()");
  if (impl_->started) {
    log::error("http_route_after_start", {{"method", method}, {"path", path}});
    return;
  }
  impl_->routes.add(std::move(method), std::move(path), std::move(handler));
}

void HttpServer::setGate(Gate gate) {
  assert(!impl_->started && "HttpServer::setGate() after start()");
  if (!impl_->started) impl_->gate = std::move(gate);
}

Result<std::uint16_t> HttpServer::start() {
  Impl& impl = *impl_;
  if (impl.started) {
    return bindError(ErrorCode::Internal, "the server was already started", impl.bind_address,
                     impl.port);
  }
  if (impl.options.io_threads < 1) {
    return bindError(ErrorCode::InvalidInput, "io_threads must be at least 1", impl.bind_address,
                     impl.port);
  }
  error_code ec;
  asio::ip::address address = asio::ip::make_address(impl.bind_address, ec);
  if (ec) {
    return bindError(ErrorCode::InvalidInput, "the bind address is not an IP address",
                     impl.bind_address, impl.port);
  }

  auto io = std::make_unique<asio::io_context>(impl.options.io_threads);
  tcp::acceptor acceptor(asio::make_strand(*io));
  tcp::endpoint endpoint(address, impl.port);
  auto failed = [&](std::string_view step) {
    return bindError(ErrorCode::Unavailable, std::string(step) + " failed: " + ec.message(),
                     impl.bind_address, impl.port);
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return failed("open");
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) return failed("setsockopt");
  if (acceptor.bind(endpoint, ec); ec) return failed("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) return failed("listen");
  const std::uint16_t bound_port = acceptor.local_endpoint(ec).port();
  if (ec) return failed("getsockname");

  std::unique_ptr<TlsContextSource> tls;
  if (impl.options.tls) {
    auto made = TlsContextSource::create(*impl.options.tls);
    if (!made) return made.error();
    tls = std::move(made.value());
  }

  impl.started = true;
  impl.io = std::move(io);
  impl.state = std::make_shared<ServerState>(impl.options, std::move(impl.routes),
                                             std::move(impl.gate), std::move(tls));
  impl.listener = std::make_shared<Listener>(*impl.io, std::move(acceptor), impl.state);
  impl.listener->run();
  for (int i = 0; i < impl.options.io_threads; ++i) {
    impl.threads.emplace_back([io = impl.io.get()] { runIoThread(*io); });
  }
  log::info("http_server_started", {{"address", impl.bind_address},
                                    {"scheme", impl.options.tls ? "https" : "http"},
                                    {"port", std::to_string(bound_port)},
                                    {"io_threads", std::to_string(impl.options.io_threads)}});
  return bound_port;
}

Result<void> HttpServer::reloadTls() {
  if (!impl_->state || !impl_->state->tls()) return okResult();
  return impl_->state->tls()->reload();
}

void HttpServer::stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  impl.listener->close();
  {
    std::vector<std::shared_ptr<SessionBase>> open = impl.state->beginStop();
    for (const auto& session : open) session->close();
  }
  // With the acceptor and every connection closed, the io threads run out of work and return.
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();
  impl.listener.reset();
  impl.io.reset();
  log::info("http_server_stopped", {{"address", impl.bind_address}});
}

}  // namespace sundial::adapters::http
