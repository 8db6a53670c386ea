// <utility> before any Asio header: Boost 1.74's awaitable.hpp uses std::exchange without it
// under C++20 on GCC 12 (DEPENDENCIES.md 3.9).
#include <utility>

#include "hl7/mllp/server.h"

#include <array>
#include <atomic>
#include <ctime>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "engine/domain/log.h"
#include "hl7/ack/ack_builder.h"
#include "hl7/mllp/codec.h"
#include "hl7/mllp/tls_stream.h"
#include "engine/domain/thread_name.h"

namespace sundial::hl7::mllp {

namespace asio = boost::asio;
using asio::ip::tcp;
using Strand = asio::strand<asio::io_context::executor_type>;
// A plain socket, or TLS over it (ServerOptions::tls).
using Stream = MllpStream;

Reply Reply::sendAck(std::string ack_text) {
  return Reply{Action::SendAck, std::move(ack_text), {}};
}
Reply Reply::closeWithoutAck(std::string reason) {
  return Reply{Action::CloseWithoutAck, {}, std::move(reason)};
}
Reply Reply::noAck() { return Reply{Action::NoAck, {}, {}}; }

std::string hl7Timestamp(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const std::size_t size = std::strftime(text.data(), text.size(), "%Y%m%d%H%M%S", &utc);
  return std::string(text.data(), size);
}

namespace {

std::atomic<std::uint64_t> g_nak_sequence{0};

// Completion of a detached coroutine: an exception that ended it is logged, never lost.
struct LogFailure {
  std::string_view what;
  void operator()(const std::exception_ptr& failure) const {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log::error("mllp_coroutine_failed", {{"coroutine", what}, {"reason", e.what()}});
    }
  }
};

// MSH-10 of an ACK the server writes itself.
std::string nextAckControlId() {
  return "SUNDIAL-NAK-" + std::to_string(g_nak_sequence.fetch_add(1) + 1);
}

}  // namespace

Reply replyForUnparsed(const ReceivedMessage& received) {
  const std::string reason =
      received.parsed.ok() ? std::string("message not accepted") : received.parsed.error().describe();
  std::optional<std::string> ack =
      buildRejectForUnparsed(received.text, Hl7ErrorCode::SegmentSequenceError, reason,
                             nextAckControlId(), hl7Timestamp(std::chrono::system_clock::now()));
  if (!ack) return Reply::closeWithoutAck("unparseable message without a control ID: " + reason);
  return Reply::sendAck(std::move(*ack));
}

namespace {

struct Shared {
  ServerOptions options;
  std::shared_ptr<asio::ssl::context> tls;  // made at start() when options.tls is set
  MessageHandler handler;
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> open{0};
  std::atomic<std::uint64_t> messages{0};
  std::atomic<std::uint64_t> garbage_bytes{0};
  std::atomic<std::uint64_t> oversize{0};
  std::atomic<std::uint64_t> idle_closes{0};
};

// One connection. Lives on its own strand: its coroutine, its idle timer and close() all
// run there, so none of its members needs a lock.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::uint64_t id, std::string peer, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket), shared->tls),
        timer_(stream_.get_executor()),
        id_(id),
        peer_(std::move(peer)),
        shared_(std::move(shared)),
        decoder_(shared_->options.max_message_bytes) {}

  void start() {
    // Armed before the watchdog first waits: an unarmed timer would fire at once.
    setDeadline(std::chrono::steady_clock::now() + shared_->options.idle_timeout);
    auto self = shared_from_this();
    asio::co_spawn(stream_.get_executor(), run(self), LogFailure{"connection"});
    asio::co_spawn(stream_.get_executor(), watchdog(self), LogFailure{"idle watchdog"});
  }

  // Posts a close onto the session's strand; safe from any thread.
  void closeFromOutside(std::string reason) {
    asio::post(stream_.get_executor(),
               [self = shared_from_this(), reason = std::move(reason)] { self->close(reason); });
  }

 private:
  static asio::awaitable<void> run(std::shared_ptr<Session> self) { co_await self->readLoop(); }
  static asio::awaitable<void> watchdog(std::shared_ptr<Session> self) {
    co_await self->watchIdle();
  }

  void logField(log::Level level, std::string_view event, std::string_view reason) const {
    const std::string id = std::to_string(id_);
    log::write(level, event, {{"peer", peer_}, {"connection", id}, {"reason", reason}});
  }

  void close(std::string_view reason) {
    if (closed_) return;
    closed_ = true;
    if (decoder_.pendingGarbage() > 0) reportGarbage(decoder_.pendingGarbage());
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    timer_.cancel();
    shared_->open.fetch_sub(1);
    logField(log::Level::Debug, "mllp_connection_closed", reason);
  }

  void setDeadline(std::chrono::steady_clock::time_point deadline) {
    deadline_ = deadline;
    timer_.expires_at(deadline);  // wakes the watchdog, which re-arms for the new deadline
  }

  void reportGarbage(std::size_t bytes) {
    shared_->garbage_bytes.fetch_add(bytes);
    const std::string count = std::to_string(bytes);
    log::warn("mllp_garbage_skipped",
              {{"peer", peer_}, {"connection", std::to_string(id_)}, {"bytes", count}});
  }

  asio::awaitable<void> watchIdle() {
    while (!closed_) {
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) co_return;
      if (std::chrono::steady_clock::now() >= deadline_) {
        shared_->idle_closes.fetch_add(1);
        const char* what = decoder_.inFrame()          ? "idle timeout inside a frame without its end"
                           : decoder_.pendingGarbage() ? "idle timeout after bytes outside any frame"
                                                       : "idle timeout";
        logField(log::Level::Warn, "mllp_idle_timeout", what);
        co_await rejectUnfinishedAndClose(what);
        co_return;
      }
    }
  }

  // TLS: the handshake, within the idle deadline set by start() (the watchdog closes a peer
  // that never finishes it). False when the connection is closed.
  asio::awaitable<bool> handshake() {
    if (!stream_.isTls()) co_return true;
    boost::system::error_code ec;
    co_await stream_.tls()->async_handshake(asio::ssl::stream_base::server,
                                            asio::redirect_error(asio::use_awaitable, ec));
    if (closed_) co_return false;
    if (ec) {
      logField(log::Level::Warn, "mllp_tls_handshake_failed", ec.message());
      close("TLS handshake failed");
      co_return false;
    }
    peer_certificate_name_ = stream_.peerCommonName();
    co_return true;
  }

  asio::awaitable<void> readLoop() {
    if (!co_await handshake()) co_return;
    std::array<char, 16 * 1024> buffer{};
    const std::size_t max_garbage = shared_->options.max_message_bytes;
    while (!closed_) {
      setDeadline(std::chrono::steady_clock::now() + shared_->options.idle_timeout);
      boost::system::error_code ec;
      const std::size_t n = co_await stream_.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) co_return;
      if (ec) {
        if (decoder_.inFrame()) logField(log::Level::Warn, "mllp_frame_unfinished", ec.message());
        close(ec == asio::error::eof ? "peer closed" : ec.message());
        co_return;
      }
      // While messages are handled the idle clock stops: a slow store is not an idle peer.
      setDeadline(std::chrono::steady_clock::time_point::max());
      for (Frame& frame : decoder_.feed(std::string_view(buffer.data(), n))) {
        if (frame.garbage_before > 0) reportGarbage(frame.garbage_before);
        const bool keep_going = co_await answer(std::move(frame));
        if (!keep_going) {
          co_return;
        }
      }
      if (decoder_.pendingGarbage() > max_garbage) {
        reportGarbage(decoder_.pendingGarbage());
        logField(log::Level::Warn, "mllp_connection_refused", "garbage without any MLLP frame");
        co_await rejectUnfinishedAndClose("bytes outside any MLLP frame");
        co_return;
      }
    }
  }

  // Closing on a message that never arrived whole (a frame without its end, an unframed
  // message): an AR first when its control ID can be read, so the sender knows why.
  asio::awaitable<void> rejectUnfinishedAndClose(std::string reason) {
    const std::string_view unfinished =
        decoder_.inFrame() ? decoder_.openFrame() : decoder_.garbagePrefix();
    const std::optional<std::string> nak = buildRejectForUnparsed(
        unfinished, Hl7ErrorCode::SegmentSequenceError, reason, nextAckControlId(),
        hl7Timestamp(std::chrono::system_clock::now()));
    if (nak && !closed_) co_await send(*nak);
    close(reason);
  }

  // Answers one frame; false when the connection is closed.
  asio::awaitable<bool> answer(Frame frame) {
    if (frame.kind == FrameKind::TooLarge) {
      shared_->oversize.fetch_add(1);
      const std::string reason = "message larger than " +
                                 std::to_string(shared_->options.max_message_bytes) + " bytes";
      const std::optional<std::string> nak = buildRejectForUnparsed(
          frame.text, Hl7ErrorCode::ApplicationInternalError, reason, nextAckControlId(),
          hl7Timestamp(std::chrono::system_clock::now()));
      logField(log::Level::Warn, "mllp_message_too_large", reason);
      if (nak) co_await send(*nak);
      close(reason);
      co_return false;
    }
    shared_->messages.fetch_add(1);
    ReceivedMessage received{frame.text, parseMessage(frame.text), peer_, id_,
                             peer_certificate_name_};
    Reply reply = callHandler(received);
    switch (reply.action) {
      case Reply::Action::NoAck:
        co_return true;
      case Reply::Action::SendAck:
        co_return co_await send(reply.ack);
      case Reply::Action::CloseWithoutAck:
        logField(log::Level::Warn, "mllp_closed_without_ack", reply.reason);
        close(reply.reason);
        co_return false;
    }
    co_return false;
  }

  Reply callHandler(const ReceivedMessage& received) {
    // A throwing handler must not take the io thread down, nor earn the sender an ACK.
    try {
      return shared_->handler(received);
    } catch (const std::exception& e) {
      return Reply::closeWithoutAck(std::string("handler failed: ") + e.what());
    }
  }

  asio::awaitable<bool> send(const std::string& ack) {
    const std::string framed = frameMessage(ack);
    boost::system::error_code ec;
    co_await asio::async_write(stream_, asio::buffer(framed),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!closed_) logField(log::Level::Warn, "mllp_ack_not_sent", ec.message());
      close("ack not sent");
      co_return false;
    }
    co_return !closed_;
  }

  Stream stream_;
  asio::steady_timer timer_;
  std::uint64_t id_;
  std::string peer_;
  std::shared_ptr<Shared> shared_;
  FrameDecoder decoder_;
  std::chrono::steady_clock::time_point deadline_{};
  bool closed_ = false;
  std::string peer_certificate_name_;  // TLS client certificate's CN
};

}  // namespace

struct Server::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  asio::io_context io;
  Strand acceptor_strand{asio::make_strand(io)};
  tcp::acceptor acceptor{acceptor_strand};
  // Keeps run() going until stop() has posted every close: without it the io threads could
  // run out of work (acceptor closed, no connection) before stop() is done posting.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;

  // Guards `sessions` only; nothing foreign is called while holding it.
  std::mutex sessions_mutex;
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 0;  // acceptor strand only

  static asio::awaitable<void> acceptLoop(Impl* impl) {
    while (true) {
      boost::system::error_code ec;
      tcp::socket stream = co_await impl->acceptor.async_accept(
          asio::make_strand(impl->io), asio::redirect_error(asio::use_awaitable, ec));
      if (ec == asio::error::operation_aborted || !impl->acceptor.is_open()) {
        log::info("mllp_accept_stopped", {{"reason", ec ? ec.message() : "acceptor closed"}});
        co_return;
      }
      if (ec) {
        log::warn("mllp_accept_failed", {{"reason", ec.message()}});
        continue;
      }
      impl->onAccepted(std::move(stream));
    }
  }

  void onAccepted(tcp::socket stream) {
    boost::system::error_code ec;
    const tcp::endpoint remote = stream.remote_endpoint(ec);
    const std::string peer =
        ec ? std::string("unknown") : remote.address().to_string() + ":" + std::to_string(remote.port());
    shared->accepted.fetch_add(1);
    if (shared->open.load() >= shared->options.max_connections) {
      log::warn("mllp_connection_refused", {{"peer", peer}, {"reason", "too many connections"}});
      stream.close(ec);
      return;
    }
    stream.set_option(tcp::no_delay(true), ec);
    shared->open.fetch_add(1);
    const std::uint64_t id = ++next_id;
    auto session = std::make_shared<Session>(std::move(stream), id, peer, shared);
    {
      const std::lock_guard lock(sessions_mutex);
      std::erase_if(sessions, [](const auto& entry) { return entry.second.expired(); });
      sessions.emplace(id, session);
    }
    log::debug("mllp_connection_opened", {{"peer", peer}, {"connection", std::to_string(id)}});
    session->start();
  }
};

Server::Server(ServerOptions options, MessageHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->shared->options = std::move(options);
  impl_->shared->handler = std::move(handler);
}

Server::~Server() { stop(); }

Result<std::uint16_t> Server::start() {
  Impl& impl = *impl_;
  if (impl.started) return makeError(ErrorCode::Internal, "MLLP server started twice");
  const ServerOptions& options = impl.shared->options;
  const std::string where = options.address + ":" + std::to_string(options.port);
  // Certificates first: a bad file must not leave a port open.
  if (options.tls) {
    auto context = makeServerTlsContext(*options.tls);
    if (!context) return context.error();
    impl.shared->tls = std::move(context.value());
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec) return makeError(ErrorCode::InvalidInput, "bad MLLP listen address", where);
  const tcp::endpoint endpoint(address, options.port);
  impl.acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(endpoint, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return makeError(ErrorCode::Unavailable, "cannot listen for MLLP: " + ec.message(), where);
  }
  const std::uint16_t port = impl.acceptor.local_endpoint().port();
  impl.started = true;
  impl.work.emplace(impl.io.get_executor());
  asio::co_spawn(impl.acceptor_strand, Impl::acceptLoop(&impl), LogFailure{"accept"});
  const std::size_t threads = std::max<std::size_t>(1, options.threads);
  for (std::size_t i = 0; i < threads; ++i) {
    impl.threads.emplace_back([&impl] {
      nameThisThread("mllp");
      impl.io.run();
    });
  }
  log::info("mllp_server_started", {{"address", options.address},
                                    {"port", std::to_string(port)},
                                    {"tls", options.tls ? "true" : "false"}});
  return port;
}

void Server::stop() {
  Impl& impl = *impl_;
  if (!impl.started || impl.stopped) return;
  impl.stopped = true;
  asio::post(impl.acceptor_strand, [&impl] {
    boost::system::error_code ignored;
    impl.acceptor.close(ignored);
  });
  // The acceptor strand may still hand over a connection accepted just now; closing again
  // after the acceptor is closed catches it.
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::shared_ptr<Session>> open;
    {
      const std::lock_guard lock(impl.sessions_mutex);
      for (const auto& [id, weak] : impl.sessions) {
        if (auto session = weak.lock()) open.push_back(std::move(session));
      }
    }
    for (const auto& session : open) session->closeFromOutside("server stopping");
    if (pass == 0) {
      std::promise<void> acceptor_closed;
      asio::post(impl.acceptor_strand, [&acceptor_closed] { acceptor_closed.set_value(); });
      acceptor_closed.get_future().wait();
    }
  }
  // Every coroutine ends once its socket or timer is closed; run() returns when none is left.
  impl.work.reset();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();
  log::info("mllp_server_stopped", {});
}

ServerCounters Server::counters() const {
  const Shared& shared = *impl_->shared;
  return ServerCounters{shared.accepted.load(),      shared.open.load(),
                        shared.messages.load(),      shared.garbage_bytes.load(),
                        shared.oversize.load(),      shared.idle_closes.load()};
}

}  // namespace sundial::hl7::mllp
