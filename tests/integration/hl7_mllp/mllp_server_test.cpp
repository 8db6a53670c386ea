// The MLLP server and client over real loopback TCP (127.0.0.1, ports from port 0).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "hl7/ack/ack_builder.h"
#include "hl7/ack/ack_reader.h"
#include "hl7/message/segments.h"
#include "hl7/mllp/client.h"
#include "hl7/mllp/codec.h"
#include "hl7/mllp/server.h"
#include "tests/integration/hl7_mllp/raw_socket.h"

namespace sundial::hl7::mllp {
namespace {

using namespace std::chrono_literals;
using testing::RawListener;
using testing::RawSocket;

std::string order(std::string_view control_id) {
  return "MSH|^~\\&|RIS|CITYHOSP|SUNDIAL|TELERAD|20260101120000||ORM^O01^ORM_O01|" +
         std::string(control_id) + "|P|2.5.1\rPID|1||12345^^^CITYHOSP^MR||DOE^JANE\rORC|NW|O1\r";
}

Reply ackWith(const ReceivedMessage& received, AckClass ack_class, std::string text = {}) {
  if (!received.parsed) return replyForUnparsed(received);
  AckRequest request{.ack_class = ack_class, .error = {}, .control_id = "ACK",
                     .date_time = hl7Timestamp(std::chrono::system_clock::now())};
  if (ack_class != AckClass::Accept) {
    request.error = AckError{.location = {.segment_id = "PID", .segment_sequence = 1, .field = 3},
                             .code = Hl7ErrorCode::RequiredFieldMissing,
                             .text = std::move(text)};
  }
  std::optional<std::string> ack = buildAck(ackHeaderSource(*received.parsed), request);
  return ack ? Reply::sendAck(std::move(*ack)) : Reply::noAck();
}

// Records what it "stores", then answers AA: AA always follows the store.
class RecordingStore {
 public:
  Reply operator()(const ReceivedMessage& received) {
    if (!received.parsed) return replyForUnparsed(received);
    {
      const std::lock_guard lock(mutex_);
      stored_.insert(readMessageHeader(*received.parsed).control_id);
    }
    return ackWith(received, AckClass::Accept);
  }
  std::set<std::string> stored() const {
    const std::lock_guard lock(mutex_);
    return stored_;
  }

 private:
  mutable std::mutex mutex_;  // guards stored_
  std::set<std::string> stored_;
};

ServerOptions loopback() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.idle_timeout = 5s;
  options.threads = 2;
  return options;
}

ClientOptions clientFor(std::uint16_t port) {
  ClientOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.connect_timeout = 2s;
  options.ack_timeout = 3s;
  return options;
}

TEST(MllpServer, ClientGetsAaForEachMessageOnOneConnection) {
  auto store = std::make_shared<RecordingStore>();
  Server server(loopback(), [store](const ReceivedMessage& m) { return (*store)(m); });
  const Result<std::uint16_t> port = server.start();
  ASSERT_TRUE(port.ok()) << port.error().describe();
  EXPECT_NE(port.value(), 0);
  Client client(clientFor(*port));
  for (int i = 0; i < 3; ++i) {
    const std::string id = "C" + std::to_string(i);
    const Result<AckOutcome> ack = client.send(order(id));
    ASSERT_TRUE(ack.ok()) << ack.error().describe();
    EXPECT_TRUE(ack->delivered);
    EXPECT_EQ(ack->code, AckCode::ApplicationAccept);
    EXPECT_EQ(ack->control_id, id);
  }
  EXPECT_EQ(server.counters().connections_accepted, 1u);
  EXPECT_EQ(store->stored().size(), 3u);
}

TEST(MllpServer, AeCarriesTheErrorTextToTheClient) {
  Server server(loopback(), [](const ReceivedMessage& m) {
    return ackWith(m, AckClass::Error, "no MRN");
  });
  const std::uint16_t port = server.start().value();
  Client client(clientFor(port));
  const Result<AckOutcome> ack = client.send(order("E1"));
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  EXPECT_FALSE(ack->delivered);
  EXPECT_EQ(ack->code, AckCode::ApplicationError);
  EXPECT_NE(ack->error_text.find("no MRN"), std::string::npos) << ack->error_text;
}

TEST(MllpServer, EnhancedModeGetsCommitAccept) {
  Server server(loopback(), [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  Client client(clientFor(port));
  const std::string enhanced =
      "MSH|^~\\&|RIS|H|SUNDIAL|T|20260101||ORM^O01|EN1|P|2.5|||AL|NE\rPID|1\r";
  const Result<AckOutcome> ack = client.send(enhanced);
  ASSERT_TRUE(ack.ok()) << ack.error().describe();
  EXPECT_EQ(ack->code, AckCode::CommitAccept);
  EXPECT_TRUE(ack->delivered);
}

TEST(MllpServer, UnparseableMessageGetsArWithItsControlId) {
  Server server(loopback(), [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  RawSocket raw(port);
  ASSERT_TRUE(raw.connected());
  raw.sendAll(frameMessage("MSH|^~\\&|RIS|H|S|T|20260101||ORM^O01|BAD1|P|2.5\r"
                           "this line is not a segment\r"));
  const std::string reply = raw.readUntil(kEndBlock, 3s);
  ASSERT_FALSE(reply.empty());
  const Result<AckOutcome> ack = readAck(reply);
  ASSERT_TRUE(ack.ok()) << ack.error().describe() << " " << reply;
  EXPECT_EQ(ack->code, AckCode::ApplicationReject);
  EXPECT_EQ(ack->control_id, "BAD1");
}

TEST(MllpServer, GarbageBeforeAFrameIsSkippedAndCounted) {
  Server server(loopback(), [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  RawSocket raw(port);
  raw.sendAll("GET / HTTP/1.0\r\n\r\n" + frameMessage(order("G1")));
  const Result<AckOutcome> ack = readAck(raw.readUntil(kEndBlock, 3s));
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->control_id, "G1");
  EXPECT_EQ(server.counters().garbage_bytes, 18u);
}

TEST(MllpServer, FrameWithoutControlIdIsClosedWithoutAck) {
  Server server(loopback(), [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  RawSocket raw(port);
  raw.sendAll(frameMessage("\x01\x02 not hl7 at all"));
  bool closed = false;
  EXPECT_EQ(raw.readUntil(kEndBlock, 3s, &closed), "");
  EXPECT_TRUE(closed);
}

TEST(MllpServer, UnframedMessageGetsArAtIdleTimeout) {
  ServerOptions options = loopback();
  options.idle_timeout = 300ms;
  Server server(options, [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  RawSocket raw(port);
  raw.sendAll(order("NOFRAME1"));  // a sender that forgot MLLP
  bool closed = false;
  const std::string reply = raw.readUntil(kEndBlock, 3s, &closed);
  const Result<AckOutcome> ack = readAck(reply);
  ASSERT_TRUE(ack.ok()) << reply;
  EXPECT_EQ(ack->code, AckCode::ApplicationReject);
  EXPECT_EQ(ack->control_id, "NOFRAME1");
  EXPECT_TRUE(closed || raw.closedWithin(3s));
  EXPECT_EQ(server.counters().messages, 0u);
}

TEST(MllpServer, EndlessGarbageIsClosed) {
  ServerOptions options = loopback();
  options.max_message_bytes = 1000;
  Server server(options, [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  RawSocket raw(port);
  raw.sendAll(std::string(5000, 'z'));
  EXPECT_TRUE(raw.closedWithin(3s));
}

TEST(MllpServer, OversizeGetsArThenCloseAndOthersCarryOn) {
  ServerOptions options = loopback();
  options.max_message_bytes = 2000;
  Server server(options, [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  Client other(clientFor(port));
  ASSERT_TRUE(other.send(order("before")).ok());

  RawSocket raw(port);
  std::string big = order("BIG1");
  big += "NTE|1||" + std::string(5000, 'x') + "\r";
  raw.sendAll(frameMessage(big));
  bool closed = false;
  const std::string reply = raw.readUntil(kEndBlock, 3s, &closed);
  const Result<AckOutcome> ack = readAck(reply);
  ASSERT_TRUE(ack.ok()) << reply;
  EXPECT_EQ(ack->code, AckCode::ApplicationReject);
  EXPECT_EQ(ack->control_id, "BIG1");
  EXPECT_NE(ack->error_text.find("larger than 2000"), std::string::npos);
  EXPECT_TRUE(closed || raw.closedWithin(3s));

  RawSocket anonymous(port);
  anonymous.sendAll(frameMessage(std::string(5000, 'y')));
  EXPECT_EQ(anonymous.readUntil(kEndBlock, 3s, &closed), "");
  EXPECT_TRUE(closed);

  const Result<AckOutcome> after = other.send(order("after"));
  ASSERT_TRUE(after.ok()) << after.error().describe();
  EXPECT_TRUE(after->delivered);
  EXPECT_EQ(server.counters().oversize_frames, 2u);
}

TEST(MllpServer, HandlerThatCannotStoreClosesWithoutAck) {
  Server server(loopback(), [](const ReceivedMessage&) {
    const AckForError plan = ackForError(ErrorCode::Unavailable);
    EXPECT_EQ(plan.disposition, AckDisposition::CloseWithoutAck);
    return Reply::closeWithoutAck("store unavailable");
  });
  const std::uint16_t port = server.start().value();
  Client client(clientFor(port));
  const Result<AckOutcome> ack = client.send(order("R1"));
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::Unavailable);
  EXPECT_FALSE(client.connected());
}

TEST(MllpServer, FiftyConcurrentConnections) {
  auto store = std::make_shared<RecordingStore>();
  ServerOptions options = loopback();
  options.threads = 4;
  Server server(options, [store](const ReceivedMessage& m) { return (*store)(m); });
  const std::uint16_t port = server.start().value();
  constexpr int kConnections = 50;
  constexpr int kMessagesEach = 4;
  std::atomic<int> delivered{0};
  std::vector<std::thread> senders;
  for (int c = 0; c < kConnections; ++c) {
    senders.emplace_back([&, c] {
      Client client(clientFor(port));
      for (int m = 0; m < kMessagesEach; ++m) {
        const std::string id = "P" + std::to_string(c) + "-" + std::to_string(m);
        const Result<AckOutcome> ack = client.send(order(id));
        if (ack.ok() && ack->delivered && ack->control_id == id) ++delivered;
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  EXPECT_EQ(delivered.load(), kConnections * kMessagesEach);
  EXPECT_EQ(store->stored().size(), static_cast<std::size_t>(kConnections * kMessagesEach));
  EXPECT_EQ(server.counters().connections_accepted, static_cast<std::uint64_t>(kConnections));
}

TEST(MllpServer, ConnectionsOverTheLimitAreClosedAtOnce) {
  ServerOptions options = loopback();
  options.max_connections = 2;
  Server server(options, [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  Client first(clientFor(port));
  Client second(clientFor(port));
  ASSERT_TRUE(first.send(order("L1")).ok());
  ASSERT_TRUE(second.send(order("L2")).ok());
  RawSocket third(port);
  EXPECT_TRUE(third.closedWithin(3s));
  first.close();
  // Once a connection is gone, a new one is served again.
  bool served = false;
  for (int attempt = 0; attempt < 50 && !served; ++attempt) {
    Client again(clientFor(port));
    served = again.send(order("L3")).ok();
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

TEST(MllpServer, IdleConnectionsAreClosed) {
  ServerOptions options = loopback();
  options.idle_timeout = 300ms;
  Server server(options, [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  RawSocket quiet(port);
  RawSocket unfinished(port);
  unfinished.sendAll("\x0b" + order("U1"));  // a frame without its end
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(quiet.closedWithin(3s));
  bool closed = false;
  const std::string reply = unfinished.readUntil(kEndBlock, 3s, &closed);
  const Result<AckOutcome> ack = readAck(reply);
  ASSERT_TRUE(ack.ok()) << reply;
  EXPECT_EQ(ack->code, AckCode::ApplicationReject);
  EXPECT_EQ(ack->control_id, "U1");
  EXPECT_NE(ack->error_text.find("frame without its end"), std::string::npos);
  EXPECT_TRUE(closed || unfinished.closedWithin(3s));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_EQ(server.counters().idle_closes, 2u);
  EXPECT_EQ(server.counters().messages, 0u);
}

TEST(MllpServer, MessagesKeepAConnectionAlive) {
  ServerOptions options = loopback();
  options.idle_timeout = 400ms;
  Server server(options, [](const ReceivedMessage& m) { return ackWith(m, AckClass::Accept); });
  const std::uint16_t port = server.start().value();
  Client client(clientFor(port));
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(client.send(order("K" + std::to_string(i))).ok());
    std::this_thread::sleep_for(150ms);
  }
  EXPECT_EQ(server.counters().connections_accepted, 1u);
}

TEST(MllpServer, StopUnderLoadJoinsAndNeverLeavesAnUnstoredAa) {
  auto store = std::make_shared<RecordingStore>();
  ServerOptions options = loopback();
  options.threads = 3;
  auto server = std::make_unique<Server>(
      options, [store](const ReceivedMessage& m) { return (*store)(m); });
  const std::uint16_t port = server->start().value();
  std::atomic<bool> running{true};
  std::mutex acked_mutex;
  std::set<std::string> acked;  // guarded by acked_mutex
  std::atomic<int> failures{0};
  std::vector<std::thread> senders;
  for (int c = 0; c < 8; ++c) {
    senders.emplace_back([&, c] {
      ClientOptions client_options = clientFor(port);
      client_options.connect_timeout = 500ms;
      Client client(client_options);
      for (int m = 0; running; ++m) {
        const std::string id = "S" + std::to_string(c) + "-" + std::to_string(m);
        const Result<AckOutcome> ack = client.send(order(id));
        if (!ack.ok()) {
          ++failures;
          if (failures > 200) return;
          continue;
        }
        const std::lock_guard lock(acked_mutex);
        acked.insert(id);
      }
    });
  }
  std::this_thread::sleep_for(300ms);
  const auto stopping = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 3s);
  EXPECT_EQ(server->counters().connections_open, 0u);
  std::this_thread::sleep_for(100ms);
  running = false;
  for (std::thread& sender : senders) sender.join();
  const std::set<std::string> stored = store->stored();
  EXPECT_GT(acked.size(), 10u);
  for (const std::string& id : acked) EXPECT_TRUE(stored.contains(id)) << id;
  server.reset();
}

TEST(MllpClient, UnavailableWhenNothingListens) {
  std::uint16_t port = 0;
  {
    Server server(loopback(), [](const ReceivedMessage&) { return Reply::noAck(); });
    port = server.start().value();
  }
  Client client(clientFor(port));
  const Result<AckOutcome> ack = client.send(order("N1"));
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::Unavailable);
}

TEST(MllpClient, UnavailableWhenTheAckDoesNotComeInTime) {
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;  // guarded by mutex
  Server server(loopback(), [&](const ReceivedMessage& m) {
    std::unique_lock lock(mutex);
    released.wait(lock, [&] { return release; });
    return ackWith(m, AckClass::Accept);
  });
  const std::uint16_t port = server.start().value();
  ClientOptions options = clientFor(port);
  options.ack_timeout = 200ms;
  Client client(options);
  const Result<AckOutcome> ack = client.send(order("T1"));
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::Unavailable);
  {
    const std::lock_guard lock(mutex);
    release = true;
  }
  released.notify_all();
}

TEST(MllpClient, GarbageReplyIsInvalidInput) {
  RawListener listener;
  std::thread peer([&] { listener.answerOnce("HTTP/1.0 400 Bad Request\r\n\r\n"); });
  Client client(clientFor(listener.port()));
  const Result<AckOutcome> ack = client.send(order("X1"));
  peer.join();
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::InvalidInput) << ack.error().describe();
}

TEST(MllpClient, FramedNonAckIsInvalidInput) {
  Server server(loopback(), [](const ReceivedMessage&) { return Reply::sendAck("hello"); });
  const std::uint16_t port = server.start().value();
  Client client(clientFor(port));
  const Result<AckOutcome> ack = client.send(order("X2"));
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::InvalidInput);
}

TEST(MllpClient, AckForAnotherMessageIsInvalidInput) {
  Server server(loopback(), [](const ReceivedMessage&) {
    return Reply::sendAck("MSH|^~\\&|S|F|R|G|20260101||ACK|1|P|2.5\rMSA|AA|SOMETHING-ELSE\r");
  });
  const std::uint16_t port = server.start().value();
  Client client(clientFor(port));
  const Result<AckOutcome> ack = client.send(order("X3"));
  ASSERT_FALSE(ack.ok());
  EXPECT_EQ(ack.error().code, ErrorCode::InvalidInput);
}

}  // namespace
}  // namespace sundial::hl7::mllp
