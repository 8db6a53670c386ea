// RedisClient against a real redis-server: binary-safe commands, pipelines, scripts, and the
// split between transport errors (Unavailable, reconnect) and command errors (Internal).

#include "adapters/redis/redis_client.h"

#include "adapters/redis/redis_state_store.h"
#include "tests/integration/redis/redis_test_fixture.h"

namespace sundial::adapters::redis {
namespace {

constexpr LuaScript kAnswer{"test_answer", "return tonumber(ARGV[1]) + #KEYS"};

using RedisClientTest = RedisTest;

TEST_F(RedisClientTest, ArgumentsAreBinarySafe) {
  RedisClient client(clientOptions());
  const std::string value("a\0b\r\nc \"d\"", 10);
  ASSERT_TRUE(client.command({"SET", std::string("k\0ey", 4), value}).ok());
  auto got = client.command({"GET", std::string("k\0ey", 4)});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->type, Reply::Type::String);
  EXPECT_EQ(got->str, value);
}

TEST_F(RedisClientTest, PipelineKeepsEachReplyInOrderIncludingErrors) {
  RedisClient client(clientOptions());
  auto replies =
      client.pipeline({{"SET", "s", "text"}, {"INCR", "s"}, {"INCR", "n"}, {"GET", "none"}});
  ASSERT_TRUE(replies.ok());
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0].type, Reply::Type::Status);
  EXPECT_TRUE((*replies)[1].isError());
  EXPECT_EQ((*replies)[2].integer, 1);
  EXPECT_TRUE((*replies)[3].isNil());
}

TEST_F(RedisClientTest, CommandErrorIsInternalWithTheServerMessage) {
  RedisClient client(clientOptions());
  auto reply = client.command({"NOSUCHCOMMAND"});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::Internal);
  EXPECT_NE(reply.error().message.find("unknown command"), std::string::npos);
  EXPECT_TRUE(client.connected()) << "a command error must not drop the connection";
}

TEST_F(RedisClientTest, ScriptRunsAgainAfterTheServerForgetsIt) {
  RedisClient client(clientOptions());
  auto first = client.eval(kAnswer, {{"a", "b"}, {"40"}});
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(first->integer, 42);
  ASSERT_TRUE(client.command({"SCRIPT", "FLUSH"}).ok());
  auto again = client.evalPipeline(kAnswer, {{{}, {"1"}}, {{"a"}, {"2"}}});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_EQ((*again)[0].integer, 1);
  EXPECT_EQ((*again)[1].integer, 3);
}

TEST_F(RedisClientTest, UnreachableOrMalformedAddresses) {
  RedisClient missing({"unix:" + (server_->dir() / "nothing.sock").string(), 200ms, 200ms});
  auto down = missing.command({"PING"});
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::Unavailable);

  RedisClient refused({"127.0.0.1:1", 200ms, 200ms});
  auto refused_reply = refused.command({"PING"});
  ASSERT_FALSE(refused_reply.ok());
  EXPECT_EQ(refused_reply.error().code, ErrorCode::Unavailable);

  RedisClient malformed({"no-port-here", 200ms, 200ms});
  auto bad = malformed.command({"PING"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
}

class RedisRestartTest : public RedisTest {
 protected:
  testing::RedisServerOptions serverOptions() const override {
    testing::RedisServerOptions options;
    options.appendonly = true;
    return options;
  }
};

TEST_F(RedisRestartTest, StoreIsUnavailableWhileRedisIsDownThenRecoversWithItsData) {
  RedisStateStore store(clientOptions(), kPrefix);
  ASSERT_TRUE(store.recordInstances({makeRecord(1, 1, {"ARCH"}, {"ARCH"})}).ok());

  server_->stop();
  auto while_down = store.ping();
  ASSERT_FALSE(while_down.ok());
  EXPECT_EQ(while_down.error().code, ErrorCode::Unavailable);
  auto still_down = store.knownInstances({sopUid(1, 1)});
  ASSERT_FALSE(still_down.ok());
  EXPECT_EQ(still_down.error().code, ErrorCode::Unavailable);

  ASSERT_TRUE(server_->start()) << server_->error();
  auto known = store.knownInstances({sopUid(1, 1)});
  ASSERT_TRUE(known.ok()) << known.error().describe();
  EXPECT_TRUE(known->front());
  ASSERT_TRUE(store.recordInstances({makeRecord(1, 2, {"ARCH"}, {"ARCH"})}).ok())
      << "scripts must be reloaded into the restarted server";
}

TEST_F(RedisRestartTest, StaleConnectionFailsOnceThenReconnects) {
  RedisClient client(clientOptions());
  ASSERT_TRUE(client.command({"SET", "k", "v"}).ok());
  ASSERT_TRUE(server_->restart()) << server_->error();

  auto first = client.command({"GET", "k"});
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::Unavailable);
  EXPECT_FALSE(client.connected());

  auto second = client.command({"GET", "k"});
  ASSERT_TRUE(second.ok()) << second.error().describe();
  EXPECT_EQ(second->str, "v");
}

}  // namespace
}  // namespace sundial::adapters::redis
