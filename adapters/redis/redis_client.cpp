#include "adapters/redis/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <charconv>
#include <csignal>
#include <mutex>

#include "engine/domain/log.h"

namespace sundial::adapters::redis {
namespace {

constexpr std::string_view kUnixScheme = "unix:";
constexpr std::string_view kNoScriptPrefix = "NOSCRIPT";
constexpr std::string_view kConnectOperation = "connect";

timeval toTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

void ignoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

Reply convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::String;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::Status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::Error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::Integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::Array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::Nil;
      break;
  }
  return out;
}

bool isNoScript(const Reply& reply) {
  return reply.isError() &&
         std::string_view(reply.str).substr(0, kNoScriptPrefix.size()) == kNoScriptPrefix;
}

std::vector<std::string> evalShaArgs(const std::string& sha, const ScriptCall& call) {
  std::vector<std::string> args;
  args.reserve(3 + call.keys.size() + call.args.size());
  args.emplace_back("EVALSHA");
  args.push_back(sha);
  args.push_back(std::to_string(call.keys.size()));
  args.insert(args.end(), call.keys.begin(), call.keys.end());
  args.insert(args.end(), call.args.begin(), call.args.end());
  return args;
}

std::vector<std::string> evalArgs(const LuaScript& script, const ScriptCall& call) {
  auto args = evalShaArgs(std::string(script.source), call);
  args[0] = "EVAL";
  return args;
}

}  // namespace

long long Reply::asInteger() const {
  if (type == Type::Integer) return integer;
  long long value = 0;
  std::from_chars(str.data(), str.data() + str.size(), value);
  return value;
}

Result<Reply> replyOrError(Reply reply, std::string_view context) {
  if (reply.isError()) {
    return makeError(ErrorCode::Internal, "redis replied with an error: " + reply.str,
                     std::string(context));
  }
  return reply;
}

// Owns the hiredis context; freed exactly once.
struct RedisClient::Connection {
  redisContext* context = nullptr;
  ~Connection() {
    if (context != nullptr) redisFree(context);
  }
};

RedisClient::RedisClient(RedisClientOptions options) : options_(std::move(options)) {
  ignoreSigpipeOnce();
}

RedisClient::~RedisClient() = default;

bool RedisClient::connected() const { return connection_ != nullptr; }

void RedisClient::disconnect() { connection_.reset(); }

Error RedisClient::transportError(std::string_view operation) {
  std::string message = "redis connection failed during " + std::string(operation);
  if (connection_ && connection_->context && connection_->context->errstr[0] != '\0') {
    message += ": ";
    message += connection_->context->errstr;
  }
  // The context may hold half a reply; it can never be trusted again. Only losing an
  // established connection is logged here: a failed (re)connect is the caller's to log.
  const bool was_established = operation != kConnectOperation;
  connection_.reset();
  if (was_established) {
    log::warn("redis_disconnected", {{"address", options_.address}, {"operation", operation}});
  }
  return makeError(ErrorCode::Unavailable, std::move(message), "redis " + options_.address);
}

Result<void> RedisClient::connect() {
  connection_.reset();
  const auto timeout = toTimeval(options_.connect_timeout);
  redisContext* context = nullptr;
  std::string_view address = options_.address;
  if (address.substr(0, kUnixScheme.size()) == kUnixScheme) {
    const std::string path(address.substr(kUnixScheme.size()));
    context = redisConnectUnixWithTimeout(path.c_str(), timeout);
  } else {
    const auto colon = address.rfind(':');
    int port = 0;
    if (colon == std::string_view::npos || colon == 0 ||
        std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec !=
            std::errc{} ||
        port <= 0 || port > 65535) {
      return makeError(ErrorCode::InvalidInput, "redis address must be 'unix:/path' or 'host:port'",
                       "address " + options_.address);
    }
    const std::string host(address.substr(0, colon));
    context = redisConnectWithTimeout(host.c_str(), port, timeout);
  }
  if (context == nullptr) {
    return makeError(ErrorCode::ResourceExhausted, "cannot allocate a redis context",
                     "redis " + options_.address);
  }
  connection_ = std::make_unique<Connection>();
  connection_->context = context;
  if (context->err != 0) return transportError(kConnectOperation);
  if (redisSetTimeout(context, toTimeval(options_.command_timeout)) != REDIS_OK) {
    return transportError("set timeout");
  }
  return okResult();
}

Result<void> RedisClient::ensureConnected() {
  if (connection_) return okResult();
  return connect();
}

namespace {

// Appends one command in argv form (binary-safe) to the context's output buffer.
int appendArgv(redisContext* context, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  return redisAppendCommandArgv(context, static_cast<int>(argv.size()), argv.data(),
                                lengths.data());
}

}  // namespace

Result<std::vector<Reply>> RedisClient::pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (auto connected = ensureConnected(); !connected) return connected.error();
  redisContext* context = connection_->context;
  for (const auto& args : commands) {
    if (appendArgv(context, args) != REDIS_OK) return transportError("append");
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
      if (raw != nullptr) freeReplyObject(raw);
      return transportError(commands[i].empty() ? "command" : commands[i][0]);
    }
    replies.push_back(convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return replies;
}

Result<Reply> RedisClient::command(const std::vector<std::string>& args) {
  auto replies = pipeline({args});
  if (!replies) return replies.error();
  return replyOrError(std::move(replies.value().front()), args.empty() ? "" : args.front());
}

Result<Reply> RedisClient::blockingCommand(const std::vector<std::string>& args,
                                           std::chrono::milliseconds block) {
  if (auto connected = ensureConnected(); !connected) return connected.error();
  if (redisSetTimeout(connection_->context, toTimeval(options_.command_timeout + block)) !=
      REDIS_OK) {
    return transportError("set timeout");
  }
  auto reply = command(args);
  if (connection_ &&
      redisSetTimeout(connection_->context, toTimeval(options_.command_timeout)) != REDIS_OK) {
    return transportError("set timeout");
  }
  return reply;
}

Result<const std::string*> RedisClient::scriptSha(const LuaScript& script) {
  if (auto found = sha_by_name_.find(script.name); found != sha_by_name_.end()) {
    return &found->second;
  }
  auto loaded = command({"SCRIPT", "LOAD", std::string(script.source)});
  if (!loaded) return loaded.error();
  auto [it, inserted] = sha_by_name_.emplace(script.name, std::move(loaded.value().str));
  return &it->second;
}

Result<std::vector<Reply>> RedisClient::evalPipeline(const LuaScript& script,
                                                     const std::vector<ScriptCall>& calls) {
  auto sha = scriptSha(script);
  if (!sha) return sha.error();
  std::vector<std::vector<std::string>> commands;
  commands.reserve(calls.size());
  for (const auto& call : calls) commands.push_back(evalShaArgs(*sha.value(), call));
  auto replies = pipeline(commands);
  if (!replies) return replies.error();

  // A NOSCRIPT reply means that command did nothing, so running it again with EVAL (which
  // also puts the script back in the server's cache) is safe.
  std::vector<size_t> missing;
  for (size_t i = 0; i < replies.value().size(); ++i) {
    if (isNoScript(replies.value()[i])) missing.push_back(i);
  }
  if (missing.empty()) return replies;
  log::info("redis_script_reloaded", {{"script", script.name}});
  std::vector<std::vector<std::string>> again;
  again.reserve(missing.size());
  for (size_t i : missing) again.push_back(evalArgs(script, calls[i]));
  auto retried = pipeline(again);
  if (!retried) return retried.error();
  for (size_t j = 0; j < missing.size(); ++j) {
    replies.value()[missing[j]] = std::move(retried.value()[j]);
  }
  return replies;
}

Result<Reply> RedisClient::eval(const LuaScript& script, const ScriptCall& call) {
  auto replies = evalPipeline(script, {call});
  if (!replies) return replies.error();
  return replyOrError(std::move(replies.value().front()), script.name);
}

}  // namespace sundial::adapters::redis
