// python3-hl7's mllp_send (a real outside client) sends the corpus to the MLLP server.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <set>

#include "hl7/ack/ack_builder.h"
#include "hl7/ack/ack_reader.h"
#include "hl7/message/segments.h"
#include "hl7/message/split.h"
#include "hl7/mllp/codec.h"
#include "hl7/mllp/server.h"
#include "tests/unit/hl7/corpus.h"

namespace sundial::hl7::mllp {
namespace {

constexpr const char* kMllpSend = "/usr/bin/mllp_send";

class TempDir {
 public:
  TempDir() {
    std::random_device seed;
    path_ = std::filesystem::temp_directory_path() /
            ("sundial-mllp-" + std::to_string(::getpid()) + "-" + std::to_string(seed()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct RunResult {
  int status = -1;
  std::string out;
};

RunResult run(const std::string& command) {
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  result.status = ::pclose(pipe);
  return result;
}

// The ACKs in mllp_send's output: each is printed as received, framing included.
std::vector<std::string> acksIn(const std::string& out) {
  std::vector<std::string> acks;
  FrameDecoder decoder(1 << 20);
  for (Frame& frame : decoder.feed(out)) acks.push_back(std::move(frame.text));
  return acks;
}

// mllp_send without --loose reads messages separated by <FS> (and strips <VT>/<CR> around
// them), so every message goes into one file.
std::string mllpSendInput(const std::vector<std::string>& messages) {
  std::string input;
  for (const std::string& message : messages) {
    input += message;
    input += kEndBlock;
  }
  return input;
}

class MllpSend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kMllpSend)) {
      GTEST_SKIP() << kMllpSend << " missing: apt-get install python3-hl7";
    }
    ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.idle_timeout = std::chrono::seconds(5);
    server_ = std::make_unique<Server>(options, [this](const ReceivedMessage& m) {
      if (!m.parsed) return replyForUnparsed(m);
      const MessageHeader header = readMessageHeader(*m.parsed);
      {
        const std::lock_guard lock(mutex_);
        stored_.insert(header.control_id);
      }
      AckRequest request{.ack_class = AckClass::Accept, .error = {}, .control_id = "SUN1",
                         .date_time = hl7Timestamp(std::chrono::system_clock::now())};
      std::optional<std::string> ack = buildAck(ackHeaderSource(*m.parsed), request);
      return ack ? Reply::sendAck(std::move(*ack)) : Reply::noAck();
    });
    const Result<std::uint16_t> port = server_->start();
    ASSERT_TRUE(port.ok()) << port.error().describe();
    port_ = *port;
  }

  // The server's threads write stored_: they are joined before the members go.
  void TearDown() override {
    if (server_) server_->stop();
  }

  RunResult send(const std::vector<std::string>& messages) {
    const std::filesystem::path file = dir_.path() / "messages.hl7";
    std::ofstream(file, std::ios::binary) << mllpSendInput(messages);
    return run(std::string(kMllpSend) + " -p " + std::to_string(port_) + " -f " + file.string() +
               " 127.0.0.1 2>" + (dir_.path() / "mllp_send.err").string());
  }

  TempDir dir_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;  // guards stored_
  std::set<std::string> stored_;
};

TEST_F(MllpSend, CorpusMessagesAreAcknowledged) {
  // Every corpus message that parses and is not an enhanced-mode one asking for no accept
  // ACK (mllp_send waits for one answer per message).
  std::vector<std::string> messages;
  std::vector<std::string> control_ids;
  std::size_t files = 0;
  std::size_t not_parsing = 0;
  for (const auto& entry : testing::readManifest()) {
    ++files;
    const std::string text = testing::readCorpusFile(entry.file);
    for (std::string_view piece : splitMessages(text).messages) {
      Result<Message> parsed = parseMessage(piece);
      if (!parsed) {
        ++not_parsing;
        continue;
      }
      const AckHeaderSource source = ackHeaderSource(*parsed);
      if (ackModeOf(source) == AckMode::Enhanced && source.accept_ack_type != "AL" &&
          !source.accept_ack_type.empty()) {
        continue;
      }
      const std::string message(piece);
      if (message.find(kEndBlock) != std::string::npos || message.find('\x0c') != std::string::npos) {
        continue;
      }
      messages.push_back(message);
      control_ids.push_back(readMessageHeader(*parsed).control_id);
    }
  }
  std::cout << "mllp_send: " << messages.size() << " messages from " << files
            << " corpus files (" << not_parsing << " that do not parse left out)\n";
  ASSERT_GT(messages.size(), 50u);
  const RunResult result = send(messages);
  EXPECT_EQ(result.status, 0);
  const std::vector<std::string> acks = acksIn(result.out);
  ASSERT_EQ(acks.size(), messages.size());
  for (std::size_t i = 0; i < acks.size(); ++i) {
    const Result<AckOutcome> ack = readAck(acks[i]);
    ASSERT_TRUE(ack.ok()) << acks[i];
    EXPECT_TRUE(ack->delivered) << acks[i];
    EXPECT_EQ(ack->control_id, control_ids[i]);
  }
  EXPECT_EQ(server_->counters().messages, messages.size());
}

TEST_F(MllpSend, UnparseableMessageGetsAr) {
  const RunResult result =
      send({"MSH|^~\\&|RIS|H|SUNDIAL|T|20260101||ORM^O01|BROKEN7|P|2.3\rnot a segment\r",
            "MSH|^~\\&|RIS|H|SUNDIAL|T|20260101||ORM^O01|GOOD8|P|2.3\rPID|1\r"});
  EXPECT_EQ(result.status, 0);
  const std::vector<std::string> acks = acksIn(result.out);
  ASSERT_EQ(acks.size(), 2u) << result.out;
  const Result<AckOutcome> rejected = readAck(acks[0]);
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->code, AckCode::ApplicationReject);
  EXPECT_EQ(rejected->control_id, "BROKEN7");
  const Result<AckOutcome> accepted = readAck(acks[1]);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->code, AckCode::ApplicationAccept);
  EXPECT_EQ(accepted->control_id, "GOOD8");
}

}  // namespace
}  // namespace sundial::hl7::mllp
