#pragma once
// RedisClient: one connection to Redis over hiredis (RESP2), with binary-safe commands,
// pipelines and Lua scripts. One instance belongs to one thread; it is not thread-safe.
//
// Transport failures (connection refused or lost, socket timeout) discard the connection
// and return ErrorCode::Unavailable; the next call reconnects. A command the server answers
// with an error reply returns ErrorCode::Internal carrying the server's message. No hiredis
// type appears here, and no exception crosses into or out of hiredis.
//
// Hazard: writing to a socket whose peer is gone raises SIGPIPE. The first RedisClient made
// in a process sets SIGPIPE to "ignore" for the whole process (a default a network server
// wants anyway); an application that installs its own SIGPIPE handler must not kill on it.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/domain/result.h"

namespace sundial::adapters::redis {

// An owned copy of one RESP2 reply.
struct Reply {
  enum class Type { Nil, Status, Integer, String, Array, Error };

  Type type = Type::Nil;
  long long integer = 0;        // Integer
  std::string str;              // Status, String, Error
  std::vector<Reply> elements;  // Array

  bool isNil() const { return type == Type::Nil; }
  bool isError() const { return type == Type::Error; }
  // Integer replies as is; String replies parsed as a base-10 integer (0 when not one).
  long long asInteger() const;
};

// A Lua script run with EVALSHA (its SHA1 is learnt with SCRIPT LOAD on first use), falling
// back to EVAL when the server's script cache lost it (NOSCRIPT, e.g. after a restart).
// Scripts are constants with static storage; `name` identifies one in the client's cache.
struct LuaScript {
  std::string_view name;
  std::string_view source;
};

// One call of a script: its keys and its arguments (binary-safe).
struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

struct RedisClientOptions {
  std::string address;  // "unix:/path/to/socket" or "host:port"
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
};

class RedisClient {
 public:
  explicit RedisClient(RedisClientOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects now (every other call connects lazily). Unavailable when Redis does not answer,
  // InvalidInput when the address cannot be parsed.
  Result<void> connect();
  bool connected() const;
  // Drops the connection; the next call reconnects.
  void disconnect();
  const std::string& address() const { return options_.address; }

  // One command in argv form. An error reply becomes ErrorCode::Internal.
  Result<Reply> command(const std::vector<std::string>& args);

  // A command that may block in the server for up to `block` (BLMOVE and friends); the socket
  // timeout is stretched by `block` for this call only.
  Result<Reply> blockingCommand(const std::vector<std::string>& args,
                                std::chrono::milliseconds block);

  // Sends every command, then reads every reply: one round trip. Error replies stay in the
  // vector as Reply::Type::Error so the caller can tell which command failed; only a
  // transport failure fails the whole call.
  Result<std::vector<Reply>> pipeline(const std::vector<std::vector<std::string>>& commands);

  // Runs a script once. An error reply becomes ErrorCode::Internal.
  Result<Reply> eval(const LuaScript& script, const ScriptCall& call);

  // Runs the script once per call in one pipeline (one round trip; each call is atomic on
  // its own). Error replies stay in the vector, as with pipeline().
  Result<std::vector<Reply>> evalPipeline(const LuaScript& script,
                                          const std::vector<ScriptCall>& calls);

 private:
  struct Connection;

  Result<void> ensureConnected();
  Result<const std::string*> scriptSha(const LuaScript& script);
  Error transportError(std::string_view operation);

  RedisClientOptions options_;
  std::unique_ptr<Connection> connection_;
  std::unordered_map<std::string_view, std::string> sha_by_name_;  // survives reconnects
};

// The error a reply carries, or the reply itself.
Result<Reply> replyOrError(Reply reply, std::string_view context);

}  // namespace sundial::adapters::redis
