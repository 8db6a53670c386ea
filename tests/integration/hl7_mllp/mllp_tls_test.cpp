// MLLP over TLS with real peers on loopback: our client and server, and openssl s_client
// carrying a framed message; mutual TLS; refusals (untrusted server, wrong name, plain
// client, TLS 1.1). Certificates are made by the test with the openssl CLI.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "hl7/ack/ack_builder.h"
#include "hl7/message/segments.h"
#include "hl7/mllp/client.h"
#include "hl7/mllp/codec.h"
#include "hl7/mllp/server.h"

namespace sundial::hl7::mllp {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string order(std::string_view control_id) {
  return "MSH|^~\\&|RIS|CITYHOSP|SUNDIAL|TELERAD|20260101120000||ORM^O01^ORM_O01|" +
         std::string(control_id) + "|P|2.5.1\rPID|1||12345^^^CITYHOSP^MR||DOE^JANE\rORC|NW|O1\r";
}

// Runs a shell command; its standard output.
std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

class MllpTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("sundial-mllp-tls-" + std::to_string(::getpid())));
    fs::create_directories(*dir_);
    ca("ca");
    ca("other-ca");
    issue("server", "localhost", "ca");
    issue("client", "ris.site-a.test", "ca");
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string path(const std::string& name) { return (*dir_ / name).string(); }
  static void openssl(const std::string& args) {
    const std::string command = "cd " + dir_->string() + " && openssl " + args + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static void ca(const std::string& name) {
    openssl("req -x509 -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
            ".pem -subj /CN=" + name + " -days 2");
  }
  static void issue(const std::string& name, const std::string& cn, const std::string& by) {
    std::ofstream(path(name + ".ext")) << "subjectAltName=DNS:" << cn
                                       << ",DNS:localhost,IP:127.0.0.1\n";
    openssl("req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name + ".csr -subj /CN=" + cn);
    openssl("x509 -req -in " + name + ".csr -CA " + by + ".pem -CAkey " + by +
            ".key -CAcreateserial -out " + name + ".pem -days 2 -extfile " + name + ".ext");
  }

  ServerOptions tlsServer(bool require_client_certificate) {
    ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.idle_timeout = 2s;
    options.tls = MllpServerTls{path("server.pem"), path("server.key"),
                                require_client_certificate ? path("ca.pem") : ""};
    return options;
  }
  ClientOptions tlsClient(std::uint16_t port, std::string ca = "ca.pem", std::string name = "localhost") {
    ClientOptions options;
    options.host = "127.0.0.1";
    options.port = port;
    options.connect_timeout = 3s;
    options.ack_timeout = 3s;
    options.tls = MllpClientTls{path(ca), std::move(name), "", ""};
    return options;
  }

  // Answers AA and remembers the TLS client's certificate name.
  MessageHandler handler() {
    return [this](const ReceivedMessage& received) {
      if (!received.parsed) return replyForUnparsed(received);
      {
        std::lock_guard lock(mutex_);
        seen_names_.push_back(received.peer_certificate_name);
      }
      AckRequest request{.ack_class = AckClass::Accept, .error = {}, .control_id = "ACK1",
                         .date_time = hl7Timestamp(std::chrono::system_clock::now())};
      return Reply::sendAck(*buildAck(ackHeaderSource(*received.parsed), request));
    };
  }
  std::vector<std::string> seenNames() {
    std::lock_guard lock(mutex_);
    return seen_names_;
  }

  static fs::path* dir_;
  std::mutex mutex_;  // guards seen_names_
  std::vector<std::string> seen_names_;
};
fs::path* MllpTlsTest::dir_ = nullptr;

TEST_F(MllpTlsTest, ClientAndServerTalkOverTls) {
  Server server(tlsServer(false), handler());
  auto port = server.start();
  ASSERT_TRUE(port) << port.error().describe();
  Client client(tlsClient(port.value()));
  auto ack = client.send(order("TLS1"));
  ASSERT_TRUE(ack) << ack.error().describe();
  EXPECT_TRUE(ack->delivered);
  EXPECT_EQ(seenNames(), std::vector<std::string>{""});
  auto again = client.send(order("TLS2"));  // the same TLS connection, kept open
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(server.counters().connections_accepted, 1u);
}

TEST_F(MllpTlsTest, OpensslSClientCarriesAFramedMessage) {
  Server server(tlsServer(false), handler());
  auto port = server.start();
  ASSERT_TRUE(port);
  std::ofstream(path("framed.hl7"), std::ios::binary) << frameMessage(order("SCLIENT1"));
  // The server closes after its 2 s idle timeout; -ign_eof keeps s_client reading till then.
  const std::string out = run("cat " + path("framed.hl7") + " | timeout 15 openssl s_client -quiet -ign_eof"
                              " -verify_return_error -CAfile " + path("ca.pem") +
                              " -verify_hostname localhost -connect 127.0.0.1:" +
                              std::to_string(port.value()) + " 2>/dev/null");
  EXPECT_NE(out.find("MSA|AA|SCLIENT1"), std::string::npos) << out;
}

// `sundial hl7 send --tls`: an AA over TLS; under mutual TLS only with --cert/--key.
TEST_F(MllpTlsTest, Hl7SendCommandSendsOverTls) {
  Server server(tlsServer(true), handler());
  auto port = server.start();
  ASSERT_TRUE(port);
  std::ofstream(path("send.hl7"), std::ios::binary) << order("SEND1");
  const std::string send = std::string(SUNDIAL_BINARY) + " hl7 send --host 127.0.0.1 --port " +
                           std::to_string(port.value()) + " --tls --ca " + path("ca.pem") +
                           " --server-name localhost --ack-timeout-ms 5000 ";
  const std::string with_certificate =
      run(send + "--cert " + path("client.pem") + " --key " + path("client.key") + " " +
          path("send.hl7") + " 2>&1; echo rc=$?");
  EXPECT_NE(with_certificate.find("AA"), std::string::npos) << with_certificate;
  EXPECT_NE(with_certificate.find("rc=0"), std::string::npos) << with_certificate;
  const std::string without = run(send + path("send.hl7") + " 2>&1; echo rc=$?");
  EXPECT_EQ(without.find("rc=0"), std::string::npos) << without;
  EXPECT_EQ(seenNames(), std::vector<std::string>{"ris.site-a.test"});
}

TEST_F(MllpTlsTest, MutualTlsNamesTheClientAndRefusesOneWithoutCertificate) {
  Server server(tlsServer(true), handler());
  auto port = server.start();
  ASSERT_TRUE(port);
  Client anonymous(tlsClient(port.value()));
  auto refused = anonymous.send(order("ANON1"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Unavailable);
  ClientOptions with_certificate = tlsClient(port.value());
  with_certificate.tls->certificate = path("client.pem");
  with_certificate.tls->private_key = path("client.key");
  Client site(with_certificate);
  auto ack = site.send(order("MTLS1"));
  ASSERT_TRUE(ack) << ack.error().describe();
  EXPECT_EQ(seenNames(), std::vector<std::string>{"ris.site-a.test"});
}

TEST_F(MllpTlsTest, ClientRefusesAnUntrustedOrMisnamedServer) {
  Server server(tlsServer(false), handler());
  auto port = server.start();
  ASSERT_TRUE(port);
  Client untrusted(tlsClient(port.value(), "other-ca.pem"));
  auto a = untrusted.send(order("X1"));
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("TLS handshake failed"), std::string::npos) << a.error().describe();
  Client misnamed(tlsClient(port.value(), "ca.pem", "ris.elsewhere.test"));
  EXPECT_FALSE(misnamed.send(order("X2")));
  EXPECT_TRUE(seenNames().empty());
}

TEST_F(MllpTlsTest, PlainClientsAndOldProtocolsGetNothing) {
  Server server(tlsServer(false), handler());
  auto port = server.start();
  ASSERT_TRUE(port);
  ClientOptions plain = tlsClient(port.value());
  plain.tls.reset();
  Client client(plain);
  EXPECT_FALSE(client.send(order("PLAIN1")));
  const std::string out = run("echo | timeout 10 openssl s_client -tls1_1 -connect 127.0.0.1:" +
                              std::to_string(port.value()) + " 2>&1");
  EXPECT_EQ(out.find("BEGIN CERTIFICATE"), std::string::npos) << out;
  EXPECT_TRUE(seenNames().empty());
}

TEST_F(MllpTlsTest, BadFilesAreRefusedAtStartNamingTheFile) {
  ServerOptions options = tlsServer(false);
  options.tls->certificate = path("missing.pem");
  Server server(options, handler());
  auto started = server.start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(started.error().describe().find("missing.pem"), std::string::npos);
  ServerOptions mismatched = tlsServer(false);
  mismatched.tls->private_key = path("client.key");
  Server other(mismatched, handler());
  auto refused = other.start();
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().describe().find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace sundial::hl7::mllp
