#pragma once
// Sandbox: one Lua 5.4 state in which rule files are loaded and their functions called, with
// nothing reachable but an allow list (safe base functions, read-only string/table/math/utf8/
// coroutine) and every phase under budgets: instructions (count hook), memory (a capped
// allocator) and a deadline (checked in the hook against an injected steady clock).
//
// Two phases: loadChunk() runs a rule file once, in an environment of its own, to declare its
// globals; the environment (and every table reachable from it) is then frozen. call() calls a
// declared function with read-only facts and converts its result back to a Value.
//
// A tripped budget stays tripped until the phase ends: the hook raises again at every check and
// the phase fails even if the rule's own pcall caught the error and returned normally. After any
// failure the state is collected and usable for the next call. Lua's pattern matcher cannot be
// interrupted, so string.find/match/gmatch/gsub charge their worst-case cost to the instruction
// budget before they run. Other library calls are linear in a string or table bounded by the
// memory cap, so the deadline may be overshot by up to hook_interval such calls.
//
// No state survives a call: globals are frozen, tables reachable from the file are read-only,
// file-level locals (upvalues) changed by a call are put back after it and fail it, and a file
// may not keep a coroutine made while loading.
//
// Thread: a Sandbox and everything loaded in it belong to the thread that uses it (one per worker
// thread); it is not safe to share.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/domain/clock.h"
#include "engine/domain/result.h"
#include "rules/sandbox/value.h"

namespace sundial::rules {

// What one phase (loading a file, or one call) may use.
struct Budget {
  std::uint64_t instructions = 1'000'000;
  std::chrono::milliseconds wall_time{20};
  // Bytes the state may hold on top of what it held when the phase started (never more than
  // SandboxOptions::state_memory_bytes in all).
  std::size_t memory_bytes = std::size_t{8} << 20;
};

// A C++ function offered to rules as `<host_library>.<name>(...)`. Its arguments arrive as
// Values (read-only tables read through); its result goes back as a fresh, writable Lua value
// (tables the rule may sort or change: nothing is shared). An Error becomes a Lua error with its
// message, raised at the rule's line. It may throw nothing but std::bad_alloc (reported too).
struct HostFunction {
  std::string name;
  std::function<Result<Value>(const Value::Array& args)> function;
};

class PreparedFacts;

struct SandboxOptions {
  // Hard cap on everything the Lua state holds, loaded rule files included.
  std::size_t state_memory_bytes = std::size_t{32} << 20;
  Budget load{.instructions = 10'000'000,
              .wall_time = std::chrono::milliseconds(1000),
              .memory_bytes = std::size_t{16} << 20};
  Budget call{};
  // The count hook runs every this many VM instructions: the granularity of the instruction
  // budget and of deadline checks.
  int hook_interval = 1000;
  // Steady time for deadlines; empty means std::chrono::steady_clock::now. Must not throw.
  std::function<SteadyTime()> steady_now;
  // Host functions, offered in one read-only global table named host_library (none: no table).
  std::string host_library = "sundial";
  std::vector<HostFunction> host_functions;
};

class Sandbox {
 public:
  // Fails with ResourceExhausted when the state cannot be created within the memory cap.
  [[nodiscard]] static Result<std::unique_ptr<Sandbox>> create(SandboxOptions options = {});
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Compiles `source` (text only: binary chunks are refused) under the name `name` (used in every
  // message as "name:line:"), runs it under the load budget in a fresh environment, then freezes
  // that environment. Loading a name again replaces the earlier file only if the new one loads.
  // Errors: RuleFailed (syntax error, binary chunk, or the file raised an error),
  // ResourceExhausted (instructions or memory), Timeout (deadline); each message starts with
  // "name:line:" where a line is known.
  [[nodiscard]] Result<void> loadChunk(std::string_view name, std::string_view source);

  // Calls the global function `function` declared by the file `chunk` with `facts` as its one
  // argument (read-only, nested tables too) and returns its first result.
  // Errors: NotFound (no such file or function), RuleFailed (the rule raised an error, or returned
  // something that is not a Value), ResourceExhausted / Timeout (budgets).
  [[nodiscard]] Result<Value> call(std::string_view chunk, std::string_view function,
                                   const Value& facts);

  // Converts `facts` to read-only Lua tables once, so that several calls (one decision asking
  // several rule files) share one conversion instead of paying one each. Sharing is safe because
  // nothing can write to or through the tables (no rawset, protected metatables): what one call
  // sees, the next sees unchanged. Errors: RuleFailed (nesting too deep), ResourceExhausted.
  [[nodiscard]] Result<PreparedFacts> prepareFacts(const Value& facts);
  // As call() above, with facts prepared by this sandbox's prepareFacts().
  [[nodiscard]] Result<Value> call(std::string_view chunk, std::string_view function,
                                   const PreparedFacts& facts);

  bool hasChunk(std::string_view chunk) const;
  // Bytes the Lua state holds now.
  std::size_t memoryInUse() const;

  // Opaque (defined in sandbox.cpp, where the Lua hooks reach it); public only so that those
  // C callbacks can name it.
  struct Impl;

 private:
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Facts held in a Sandbox's Lua state (prepareFacts). Released when destroyed; must not outlive
// the Sandbox that made it, and belongs to that Sandbox's thread.
class PreparedFacts {
 public:
  PreparedFacts(PreparedFacts&& other) noexcept;
  PreparedFacts& operator=(PreparedFacts&& other) noexcept;
  PreparedFacts(const PreparedFacts&) = delete;
  PreparedFacts& operator=(const PreparedFacts&) = delete;
  ~PreparedFacts();

 private:
  friend class Sandbox;
  PreparedFacts(Sandbox::Impl* owner, int ref) : owner_(owner), ref_(ref) {}
  void release() noexcept;

  Sandbox::Impl* owner_ = nullptr;
  int ref_ = 0;  // a Lua registry reference; meaningful only while owner_ is set
};

}  // namespace sundial::rules
