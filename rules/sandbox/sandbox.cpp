#include "rules/sandbox/sandbox.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <lua.hpp>
#include <string>
#include <unordered_map>
#include <utility>

#include "rules/sandbox/detail/environment.h"
#include "rules/sandbox/detail/pattern_cost.h"
#include "rules/sandbox/detail/read_only.h"

namespace sundial::rules {
namespace {

enum class Trip { None, Instructions, Memory, Deadline };

// Where a budget message says the rule was when the budget tripped: "file.lua:12".
constexpr std::size_t kWhereSize = 128;

// A host-side C++ failure (in practice std::bad_alloc) while a protected function runs: its text
// is copied here, the C++ scope is left, and then it is raised as a Lua error.
constexpr std::size_t kHostErrorSize = 160;

}  // namespace

struct Sandbox::Impl {
  explicit Impl(SandboxOptions opts) : options(std::move(opts)) {
    if (!options.steady_now) options.steady_now = [] { return std::chrono::steady_clock::now(); };
    if (options.hook_interval < 1) options.hook_interval = 1;
    limit = options.state_memory_bytes;
  }
  ~Impl() {
    if (L != nullptr) lua_close(L);
  }

  struct Chunk {
    int decls_ref = LUA_NOREF;
    int env_ref = LUA_NOREF;
    int cells_ref = LUA_NOREF;  // upvalue cells as frozen, restored after every call
  };

  SandboxOptions options;
  lua_State* L = nullptr;
  int globals_ref = LUA_NOREF;
  int budget_error_ref = LUA_NOREF;  // the string the hook raises, made once (raising allocates nothing)
  std::unordered_map<std::string, Chunk> chunks;

  // Allocator state.
  std::size_t in_use = 0;
  std::size_t limit = 0;
  bool memory_refused = false;

  // Budget state of the running phase.
  bool running = false;
  Trip trip = Trip::None;
  std::uint64_t instructions_used = 0;
  std::uint64_t instruction_limit = 0;
  SteadyTime deadline{};
  char trip_where[kWhereSize] = {};
  char trip_detail[kWhereSize] = {};  // what tripped, when more than the budget's name helps
  const Budget* budget = nullptr;

  SteadyTime now() const noexcept { return options.steady_now(); }

  void beginPhase(const Budget& phase_budget) {
    budget = &phase_budget;
    trip = Trip::None;
    trip_where[0] = '\0';
    trip_detail[0] = '\0';
    memory_refused = false;
    instructions_used = 0;
    instruction_limit = phase_budget.instructions;
    deadline = now() + phase_budget.wall_time;
    limit = std::min(options.state_memory_bytes, in_use + phase_budget.memory_bytes);
    running = true;
  }

  void endPhase(bool failed) {
    running = false;
    limit = options.state_memory_bytes;
    lua_settop(L, 0);
    // After a failure the garbage of the failed phase goes at once, so the next call starts with
    // its full allowance. No finalizers can run (no __gc is offered), so this cannot raise.
    if (failed) lua_gc(L, LUA_GCCOLLECT);
  }

  Error phaseError(int status, std::string_view unit, std::string_view what);
};

namespace {

Sandbox::Impl& implOf(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<Sandbox::Impl*>(ud);
}

// The allocator: counts bytes and refuses growth past the current limit. Freeing and shrinking
// never fail (Lua relies on that).
void* allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) {
  auto& self = *static_cast<Sandbox::Impl*>(ud);
  const std::size_t old_bytes = ptr != nullptr ? old_size : 0;
  if (new_size == 0) {
    std::free(ptr);
    self.in_use -= old_bytes;
    return nullptr;
  }
  if (new_size > old_bytes && self.in_use - old_bytes + new_size > self.limit) {
    self.memory_refused = true;
    return nullptr;
  }
  void* grown = std::realloc(ptr, new_size);
  if (grown == nullptr) {
    if (new_size <= old_bytes) return ptr;
    self.memory_refused = true;
    return nullptr;
  }
  self.in_use = self.in_use - old_bytes + new_size;
  return grown;
}

// The count hook: every hook_interval instructions, in every coroutine (new threads inherit the
// main thread's hook). Once a budget trips it raises at every later run until the phase ends, so
// a rule's pcall can catch the error but cannot make the rule continue for long.
void countHook(lua_State* L, lua_Debug* ar) {
  auto& self = implOf(L);
  if (!self.running) return;
  if (self.trip == Trip::None) {
    self.instructions_used += static_cast<std::uint64_t>(self.options.hook_interval);
    if (self.memory_refused) {
      self.trip = Trip::Memory;
    } else if (self.instructions_used > self.instruction_limit) {
      self.trip = Trip::Instructions;
    } else if (self.now() >= self.deadline) {
      self.trip = Trip::Deadline;
    }
    if (self.trip != Trip::None && lua_getinfo(L, "Sl", ar) != 0) {
      std::snprintf(self.trip_where, kWhereSize, "%s:%d", ar->short_src, ar->currentline);
    }
  }
  if (self.trip == Trip::None) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, self.budget_error_ref);
  lua_error(L);
}

// Wraps string.find/match/gmatch/gsub (upvalues: the library function, its PatternCall): the
// worst-case cost of the match is charged to the instruction budget before the C matcher runs,
// since nothing can stop that matcher once it runs. A match that does not fit trips the budget.
int guardedPattern(lua_State* L) {
  auto& self = implOf(L);
  const auto call = static_cast<detail::PatternCall>(lua_tointeger(L, lua_upvalueindex(2)));
  std::size_t subject_size = 0;
  std::size_t pattern_size = 0;
  const char* subject = luaL_checklstring(L, 1, &subject_size);
  const char* pattern = luaL_checklstring(L, 2, &pattern_size);
  lua_Integer init = 1;
  if (call != detail::PatternCall::Gsub) init = luaL_optinteger(L, 3, 1);
  if (init < 0) init = std::max<lua_Integer>(static_cast<lua_Integer>(subject_size) + init + 1, 1);
  if (init == 0) init = 1;
  const bool plain = call == detail::PatternCall::Find && lua_toboolean(L, 4) != 0;
  const double cost = detail::patternCost(call, {subject, subject_size}, {pattern, pattern_size},
                                          static_cast<std::size_t>(init - 1), plain);
  if (self.running && self.trip != Trip::None) {
    // Tripped already (and caught by the rule's pcall): stay failed, and run no matcher.
    lua_rawgeti(L, LUA_REGISTRYINDEX, self.budget_error_ref);
    return lua_error(L);
  }
  if (self.running) {
    const std::uint64_t used = self.instructions_used;
    const double left =
        used >= self.instruction_limit ? 0.0 : static_cast<double>(self.instruction_limit - used);
    if (cost > left) {
      self.trip = Trip::Instructions;
      lua_Debug ar;
      for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {  // the innermost Lua frame
        if (lua_getinfo(L, "Sl", &ar) == 0 || ar.currentline <= 0) continue;
        std::snprintf(self.trip_where, kWhereSize, "%s:%d", ar.short_src, ar.currentline);
        break;
      }
      std::snprintf(self.trip_detail, kWhereSize,
                    "a pattern match that could take %.3g steps on a %zu-byte subject", cost,
                    subject_size);
      lua_rawgeti(L, LUA_REGISTRYINDEX, self.budget_error_ref);
      return lua_error(L);
    }
    self.instructions_used += static_cast<std::uint64_t>(cost);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// Replaces the pattern functions in the sandbox's string table (the one behind both
// `string.find` and `s:find`) by guarded ones.
void guardPatternFunctions(lua_State* L) {
  struct Guarded {
    const char* name;
    detail::PatternCall call;
  };
  constexpr Guarded kGuarded[] = {{"find", detail::PatternCall::Find},
                                  {"match", detail::PatternCall::Match},
                                  {"gmatch", detail::PatternCall::Gmatch},
                                  {"gsub", detail::PatternCall::Gsub}};
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, -1, "__index");
  const int strings = lua_gettop(L);
  for (const Guarded& guarded : kGuarded) {
    lua_getfield(L, strings, guarded.name);
    lua_pushinteger(L, static_cast<lua_Integer>(guarded.call));
    lua_pushcclosure(L, guardedPattern, 2);
    lua_setfield(L, strings, guarded.name);
  }
  lua_pop(L, 3);
}

// The message handler of every protected call: keeps "file:line:" (adding the innermost Lua
// frame's position when the error has none) and appends a traceback.
int messageHandler(lua_State* L) {
  const char* message = lua_tostring(L, 1);
  if (message == nullptr) {
    message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) == 0 || ar.currentline <= 0) continue;
    const std::size_t src_length = std::strlen(ar.short_src);
    if (std::strncmp(message, ar.short_src, src_length) != 0) {
      message = lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, message);
    }
    break;
  }
  luaL_traceback(L, L, message, 1);
  return 1;
}

// Pushes `value` as a plain, writable Lua value (host function results).
void pushPlain(lua_State* L, const Value& value, int depth) {
  constexpr int kMaxResultDepth = 16;
  if (depth > kMaxResultDepth) luaL_error(L, "host result nested too deeply");
  luaL_checkstack(L, 3, "host result nested too deeply");
  const Value::Storage& storage = value.storage();
  if (const auto* b = std::get_if<bool>(&storage)) {
    lua_pushboolean(L, *b ? 1 : 0);
  } else if (const auto* i = std::get_if<std::int64_t>(&storage)) {
    lua_pushinteger(L, static_cast<lua_Integer>(*i));
  } else if (const auto* d = std::get_if<double>(&storage)) {
    lua_pushnumber(L, static_cast<lua_Number>(*d));
  } else if (const auto* s = std::get_if<std::string>(&storage)) {
    lua_pushlstring(L, s->data(), s->size());
  } else if (const auto* array = std::get_if<Value::Array>(&storage)) {
    lua_createtable(L, static_cast<int>(array->size()), 0);
    lua_Integer n = 0;
    for (const Value& item : *array) {
      pushPlain(L, item, depth + 1);
      lua_rawseti(L, -2, ++n);
    }
  } else if (const auto* map = std::get_if<Value::Map>(&storage)) {
    lua_createtable(L, 0, static_cast<int>(map->size()));
    for (const auto& [key, item] : *map) {
      lua_pushlstring(L, key.data(), key.size());
      pushPlain(L, item, depth + 1);
      lua_rawset(L, -3);
    }
  } else {
    lua_pushnil(L);
  }
}

// Upvalue 1: the index of the HostFunction in the options. Arguments are converted, the C++
// function runs, and its scope is left before a Lua error is raised (STYLE.md §6).
int callHostFunction(lua_State* L) {
  auto& self = implOf(L);
  const auto index = static_cast<std::size_t>(lua_tointeger(L, lua_upvalueindex(1)));
  const HostFunction& host = self.options.host_functions[index];
  char failure[kHostErrorSize * 2] = {};
  {
    Value::Array args;
    const int count = lua_gettop(L);
    args.reserve(static_cast<std::size_t>(count));
    for (int i = 1; i <= count; ++i) args.push_back(detail::toValue(L, i));
    std::optional<Result<Value>> result;
    try {
      result.emplace(host.function(args));
    } catch (const std::exception& e) {
      std::snprintf(failure, sizeof failure, "%s.%s: %s", self.options.host_library.c_str(),
                    host.name.c_str(), e.what());
    }
    if (result && result->ok()) {
      lua_settop(L, 0);
      pushPlain(L, result->value(), 0);
      return 1;
    }
    if (result) {
      std::snprintf(failure, sizeof failure, "%s.%s: %s", self.options.host_library.c_str(),
                    host.name.c_str(), result->error().message.c_str());
    }
  }
  return luaL_error(L, "%s", failure);
}

// Adds the host library table (read-only) to the allow list at `globals`.
void addHostLibrary(lua_State* L, int globals, const SandboxOptions& options) {
  if (options.host_functions.empty()) return;
  globals = lua_absindex(L, globals);
  lua_newtable(L);
  const int library = lua_gettop(L);
  for (std::size_t i = 0; i < options.host_functions.size(); ++i) {
    lua_pushinteger(L, static_cast<lua_Integer>(i));
    lua_pushcclosure(L, callHostFunction, 1);
    lua_setfield(L, library, options.host_functions[i].name.c_str());
  }
  detail::pushReadOnlyProxy(L, library);
  lua_setfield(L, globals, options.host_library.c_str());
  lua_pop(L, 1);
}

struct InitArgs {
  const SandboxOptions* options = nullptr;
  int globals_ref = LUA_NOREF;
  int budget_error_ref = LUA_NOREF;
};

int initProtected(lua_State* L) {
  auto* args = static_cast<InitArgs*>(lua_touserdata(L, 1));
  detail::pushAllowedGlobals(L);
  addHostLibrary(L, -1, *args->options);
  guardPatternFunctions(L);
  args->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushliteral(L, "budget exceeded");
  args->budget_error_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

struct LoadArgs {
  int globals_ref = LUA_NOREF;
  const char* source = nullptr;
  std::size_t source_size = 0;
  const char* chunk_name = nullptr;  // "@name"
  int decls_ref = LUA_NOREF;
  int env_ref = LUA_NOREF;
  int cells_ref = LUA_NOREF;
};

int loadProtected(lua_State* L) {
  auto* args = static_cast<LoadArgs*>(lua_touserdata(L, 1));
  lua_rawgeti(L, LUA_REGISTRYINDEX, args->globals_ref);
  detail::pushEnvironment(L, -1);
  const int decls = lua_gettop(L);
  const int env = decls - 1;
  // Text only: a binary chunk could carry bytecode the verifier-less VM would trust.
  if (luaL_loadbufferx(L, args->source, args->source_size, args->chunk_name, "t") != LUA_OK) {
    return lua_error(L);
  }
  lua_pushvalue(L, env);
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);  // a chunk's first upvalue is _ENV
  lua_call(L, 0, 0);
  detail::freezeEnvironment(L, env, decls);
  args->cells_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, decls);
  args->decls_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, env);
  args->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

struct PrepareArgs {
  const Value* facts = nullptr;
  int facts_ref = LUA_NOREF;
};

int prepareProtected(lua_State* L) {
  auto* args = static_cast<PrepareArgs*>(lua_touserdata(L, 1));
  detail::pushFacts(L, *args->facts);
  args->facts_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

struct CallArgs {
  int decls_ref = LUA_NOREF;
  const char* function = nullptr;
  std::size_t function_size = 0;
  int facts_ref = LUA_NOREF;
  Value result;
  bool missing_function = false;
};

int callProtected(lua_State* L) {
  auto* args = static_cast<CallArgs*>(lua_touserdata(L, 1));
  lua_rawgeti(L, LUA_REGISTRYINDEX, args->decls_ref);
  lua_pushlstring(L, args->function, args->function_size);
  if (lua_rawget(L, -2) != LUA_TFUNCTION) {
    args->missing_function = true;
    return luaL_error(L, "declares no function '%s'", args->function);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, args->facts_ref);
  lua_call(L, 1, 1);
  char host_error[kHostErrorSize] = {};
  try {
    args->result = detail::toValue(L, -1);
  } catch (const std::exception& e) {
    // Only C++ failures land here (Lua errors are not std::exceptions and pass through).
    std::snprintf(host_error, sizeof host_error, "converting the result: %s", e.what());
  }
  if (host_error[0] != '\0') return luaL_error(L, "%s", host_error);
  return 0;
}

// The first line of a handler message, and the rest (the traceback) with newlines flattened.
std::pair<std::string, std::string> splitMessage(std::string_view text) {
  const std::size_t newline = text.find('\n');
  if (newline == std::string_view::npos) return {std::string(text), {}};
  std::string rest(text.substr(newline + 1));
  std::replace(rest.begin(), rest.end(), '\n', ' ');
  std::replace(rest.begin(), rest.end(), '\t', ' ');
  return {std::string(text.substr(0, newline)), std::move(rest)};
}

}  // namespace

Error Sandbox::Impl::phaseError(int status, std::string_view unit, std::string_view what) {
  std::string context = std::string(what);
  auto where = [&] {
    return trip_where[0] != '\0' ? std::string(trip_where) : std::string(unit);
  };
  switch (trip) {
    case Trip::Instructions:
      return makeError(ErrorCode::ResourceExhausted,
                       where() + ": instruction budget of " +
                           std::to_string(budget->instructions) + " exceeded" +
                           (trip_detail[0] != '\0' ? std::string(" by ") + trip_detail : ""),
                       context);
    case Trip::Deadline:
      return makeError(ErrorCode::Timeout,
                       where() + ": time limit of " + std::to_string(budget->wall_time.count()) +
                           " ms exceeded",
                       context);
    case Trip::Memory:
      break;
    case Trip::None:
      break;
  }
  if (trip == Trip::Memory || memory_refused || status == LUA_ERRMEM) {
    return makeError(ErrorCode::ResourceExhausted,
                     where() + ": memory limit exceeded (" + std::to_string(limit) +
                         " bytes for the state)",
                     context);
  }
  const char* text = lua_tostring(L, -1);
  auto [message, traceback] = splitMessage(text != nullptr ? text : "(no error message)");
  if (!traceback.empty()) context += "; " + traceback;
  return makeError(ErrorCode::RuleFailed, std::move(message), std::move(context));
}

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Sandbox::~Sandbox() = default;

Result<std::unique_ptr<Sandbox>> Sandbox::create(SandboxOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->L = lua_newstate(allocate, impl.get());
  if (impl->L == nullptr) {
    return makeError(ErrorCode::ResourceExhausted, "cannot create a Lua state within the memory cap");
  }
  lua_State* L = impl->L;
  lua_sethook(L, countHook, LUA_MASKCOUNT, impl->options.hook_interval);
  InitArgs args;
  args.options = &impl->options;
  lua_pushcfunction(L, initProtected);
  lua_pushlightuserdata(L, &args);
  const int status = lua_pcall(L, 1, 0, 0);
  if (status != LUA_OK) {
    const char* text = lua_tostring(L, -1);
    return makeError(status == LUA_ERRMEM ? ErrorCode::ResourceExhausted : ErrorCode::Internal,
                     std::string("cannot prepare the rule sandbox: ") +
                         (text != nullptr ? text : "unknown error"));
  }
  impl->globals_ref = args.globals_ref;
  impl->budget_error_ref = args.budget_error_ref;
  lua_settop(L, 0);
  return std::unique_ptr<Sandbox>(new Sandbox(std::move(impl)));
}

Result<void> Sandbox::loadChunk(std::string_view name, std::string_view source) {
  Impl& self = *impl_;
  lua_State* L = self.L;
  const std::string chunk_name = "@" + std::string(name);
  LoadArgs args;
  args.globals_ref = self.globals_ref;
  args.source = source.data();
  args.source_size = source.size();
  args.chunk_name = chunk_name.c_str();

  self.beginPhase(self.options.load);
  lua_pushcfunction(L, messageHandler);
  lua_pushcfunction(L, loadProtected);
  lua_pushlightuserdata(L, &args);
  const int status = lua_pcall(L, 1, 0, 1);
  if (status != LUA_OK || self.trip != Trip::None || self.memory_refused) {
    Error error = self.phaseError(status, name, "loading rule file " + std::string(name));
    self.endPhase(true);
    return error;
  }
  self.endPhase(false);

  auto [it, inserted] = self.chunks.try_emplace(std::string(name));
  if (!inserted) {
    luaL_unref(L, LUA_REGISTRYINDEX, it->second.decls_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, it->second.env_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, it->second.cells_ref);
  }
  it->second = Impl::Chunk{args.decls_ref, args.env_ref, args.cells_ref};
  return okResult();
}

Result<PreparedFacts> Sandbox::prepareFacts(const Value& facts) {
  Impl& self = *impl_;
  lua_State* L = self.L;
  PrepareArgs args;
  args.facts = &facts;
  // Under the call budget: facts are host data, but their size still counts against the state.
  self.beginPhase(self.options.call);
  lua_pushcfunction(L, messageHandler);
  lua_pushcfunction(L, prepareProtected);
  lua_pushlightuserdata(L, &args);
  const int status = lua_pcall(L, 1, 0, 1);
  if (status != LUA_OK || self.memory_refused) {
    Error error = self.phaseError(status, "facts", "converting the facts");
    if (status == LUA_OK) luaL_unref(L, LUA_REGISTRYINDEX, args.facts_ref);
    self.endPhase(true);
    return error;
  }
  self.endPhase(false);
  return PreparedFacts(&self, args.facts_ref);
}

Result<Value> Sandbox::call(std::string_view chunk, std::string_view function,
                            const Value& facts) {
  if (!hasChunk(chunk)) {
    return makeError(ErrorCode::NotFound, "no rule file named " + std::string(chunk));
  }
  auto prepared = prepareFacts(facts);
  if (!prepared.ok()) return prepared.error();
  return call(chunk, function, prepared.value());
}

Result<Value> Sandbox::call(std::string_view chunk, std::string_view function,
                            const PreparedFacts& facts) {
  Impl& self = *impl_;
  lua_State* L = self.L;
  // Facts of another sandbox would name a registry slot of this state that holds anything.
  assert(facts.owner_ == &self);
  const auto found = self.chunks.find(std::string(chunk));
  if (found == self.chunks.end()) {
    return makeError(ErrorCode::NotFound, "no rule file named " + std::string(chunk));
  }
  const std::string function_name(function);
  CallArgs args;
  args.decls_ref = found->second.decls_ref;
  args.function = function_name.c_str();
  args.function_size = function_name.size();
  args.facts_ref = facts.ref_;

  self.beginPhase(self.options.call);
  lua_pushcfunction(L, messageHandler);
  lua_pushcfunction(L, callProtected);
  lua_pushlightuserdata(L, &args);
  const int status = lua_pcall(L, 1, 0, 1);
  // Whatever happened, the file's locals are as they were after loading before the next call.
  lua_rawgeti(L, LUA_REGISTRYINDEX, found->second.cells_ref);
  const char* changed_local = detail::restoreUpvalueCells(L, -1);
  lua_pop(L, 1);
  if (status != LUA_OK || self.trip != Trip::None || self.memory_refused) {
    if (args.missing_function) {
      self.endPhase(false);
      return makeError(ErrorCode::NotFound, std::string(chunk) + " declares no function '" +
                                                function_name + "'");
    }
    Error error = self.phaseError(status, chunk,
                                  "rule file " + std::string(chunk) + ", function " + function_name);
    self.endPhase(true);
    return error;
  }
  if (changed_local != nullptr) {
    std::string message = std::string(chunk) + ": function '" + function_name +
                          "' changed the file-level local '" + changed_local +
                          "' (rule files keep no state between calls; it was put back)";
    self.endPhase(true);
    return makeError(ErrorCode::RuleFailed, std::move(message),
                     "rule file " + std::string(chunk) + ", function " + function_name);
  }
  self.endPhase(false);
  return std::move(args.result);
}

PreparedFacts::PreparedFacts(PreparedFacts&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), ref_(other.ref_) {}

PreparedFacts& PreparedFacts::operator=(PreparedFacts&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    ref_ = other.ref_;
  }
  return *this;
}

PreparedFacts::~PreparedFacts() { release(); }

void PreparedFacts::release() noexcept {
  // luaL_unref frees the slot for reuse and allocates nothing: it cannot raise.
  if (owner_ != nullptr) luaL_unref(owner_->L, LUA_REGISTRYINDEX, ref_);
  owner_ = nullptr;
}

bool Sandbox::hasChunk(std::string_view chunk) const {
  return impl_->chunks.find(std::string(chunk)) != impl_->chunks.end();
}

std::size_t Sandbox::memoryInUse() const { return impl_->in_use; }

}  // namespace sundial::rules
