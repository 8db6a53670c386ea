#include "rules/sandbox/sandbox.h"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <memory>
#include <string>

namespace sundial::rules {

// Lets GoogleTest print Values in failures.
void PrintTo(const Value& value, std::ostream* out) { *out << value.describe(); }

namespace {

using namespace std::chrono_literals;

// A steady clock advanced by hand, or by `step` at every reading (a deadline test without sleeping).
struct ManualSteadyClock {
  std::shared_ptr<SteadyTime> now = std::make_shared<SteadyTime>();
  std::chrono::milliseconds step{0};

  std::function<SteadyTime()> function() const {
    return [now = now, step = step] {
      *now += step;
      return *now;
    };
  }
};

SandboxOptions testOptions(const ManualSteadyClock& clock = {}) {
  SandboxOptions options;
  options.state_memory_bytes = std::size_t{16} << 20;
  options.load = Budget{.instructions = 1'000'000, .wall_time = 1000ms, .memory_bytes = 4 << 20};
  options.call = Budget{.instructions = 200'000, .wall_time = 1000ms, .memory_bytes = 2 << 20};
  options.hook_interval = 1000;
  options.steady_now = clock.function();
  return options;
}

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override { sandbox_ = make(testOptions()); }

  static std::unique_ptr<Sandbox> make(SandboxOptions options) {
    auto created = Sandbox::create(std::move(options));
    EXPECT_TRUE(created.ok()) << created.error().describe();
    return std::move(created).value();
  }

  void load(std::string_view name, std::string_view source) { load(*sandbox_, name, source); }
  static void load(Sandbox& sandbox, std::string_view name, std::string_view source) {
    const auto loaded = sandbox.loadChunk(name, source);
    ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  }

  Result<Value> call(std::string_view chunk, std::string_view function, const Value& facts = {}) {
    return sandbox_->call(chunk, function, facts);
  }

  // Calls and expects failure with `code` and a message containing `text`.
  void expectFailure(std::string_view chunk, std::string_view function, ErrorCode code,
                     std::string_view text, const Value& facts = {}) {
    const auto result = call(chunk, function, facts);
    ASSERT_FALSE(result.ok()) << chunk << " " << function << " returned " << result->describe();
    EXPECT_EQ(result.error().code, code) << result.error().describe();
    EXPECT_NE(result.error().message.find(text), std::string::npos)
        << "expected \"" << text << "\" in: " << result.error().describe();
  }

  // The state still answers a plain call correctly.
  void expectUsable() {
    load("healthy.lua", "function add(f) return f.a + f.b end");
    const auto result = call("healthy.lua", "add", Value::Map{{"a", 2}, {"b", 3}});
    ASSERT_TRUE(result.ok()) << result.error().describe();
    EXPECT_EQ(*result, Value(5));
  }

  std::unique_ptr<Sandbox> sandbox_;
};

Value studyFacts() {
  return Value::Map{
      {"modality", "CT"},
      {"images", 240},
      {"series", Value::Array{"AX", "COR", "SAG"}},
      {"site", Value::Map{{"state", "TX"}, {"tz", "America/Chicago"}}},
  };
}

// --- Working rules ---------------------------------------------------------------------------

TEST_F(SandboxTest, CallsADeclaredFunctionWithFactsAndConvertsTheDecision) {
  load("route.lua", R"(
    local NEURO = { CT = true, MR = true }
    function route(study)
      local tags = {}
      for i, s in ipairs(study.series) do tags[i] = s:lower() end
      return {
        priority = NEURO[study.modality] and 1 or 3,
        destinations = { "archive", study.site.state .. "-reader" },
        tags = tags,
        big = study.images > 200,
        ratio = study.images / 480,
        reason = string.format("%s with %d images", study.modality, #study.series),
      }
    end)");
  const auto decision = call("route.lua", "route", studyFacts());
  ASSERT_TRUE(decision.ok()) << decision.error().describe();
  const Value expected(Value::Map{
      {"priority", 1},
      {"destinations", Value::Array{"archive", "TX-reader"}},
      {"tags", Value::Array{"ax", "cor", "sag"}},
      {"big", true},
      {"ratio", 0.5},
      {"reason", "CT with 3 images"},
  });
  EXPECT_EQ(*decision, expected) << decision->describe();
}

TEST_F(SandboxTest, FactsCanBeReadEveryWay) {
  load("read.lua", R"(
    function read(f)
      local keys = 0
      for k, v in pairs(f) do keys = keys + 1 end
      local series = {}
      for k, v in pairs(f.series) do series[#series + 1] = k .. "=" .. v end
      return { keys = keys, length = #f.series, joined = table.concat(f.series, ","),
               pairs = table.concat(series, ","), unpacked = select("#", table.unpack(f.series)) }
    end)");
  const auto result = call("read.lua", "read", studyFacts());
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(*result, Value(Value::Map{{"keys", 4},
                                      {"length", 3},
                                      {"joined", "AX,COR,SAG"},
                                      {"pairs", "1=AX,2=COR,3=SAG"},
                                      {"unpacked", 3}}));
}

TEST_F(SandboxTest, ReturnedFactsAndFrozenTablesConvertThroughTheirProxies) {
  load("echo.lua", "LIMITS = { ct = 3 }\nfunction echo(f) return f end\nfunction limits() return LIMITS end");
  const auto echoed = call("echo.lua", "echo", studyFacts());
  ASSERT_TRUE(echoed.ok()) << echoed.error().describe();
  EXPECT_EQ(*echoed, studyFacts());
  const auto limits = call("echo.lua", "limits");
  ASSERT_TRUE(limits.ok()) << limits.error().describe();
  EXPECT_EQ(*limits, Value(Value::Map{{"ct", 3}}));
}

TEST_F(SandboxTest, ResultWithoutAValueFormIsARuleFailureNamingThePath) {
  load("bad_result.lua", R"(
    function fn() return { destinations = { "a", function() end } } end
    function mixed() return { 1, 2, x = 3 } end
    function sparse() local t = {} t[1] = 1 t[3] = 3 return t end)");
  expectFailure("bad_result.lua", "fn", ErrorCode::RuleFailed, ".destinations[2] is a function");
  expectFailure("bad_result.lua", "mixed", ErrorCode::RuleFailed, "neither all strings");
  const auto sparse = call("bad_result.lua", "sparse");
  EXPECT_FALSE(sparse.ok());
}

TEST_F(SandboxTest, UnknownFileOrFunctionIsNotFound) {
  load("one.lua", "function f() return 1 end\nVALUE = 3");
  expectFailure("none.lua", "f", ErrorCode::NotFound, "none.lua");
  expectFailure("one.lua", "g", ErrorCode::NotFound, "declares no function 'g'");
  expectFailure("one.lua", "VALUE", ErrorCode::NotFound, "declares no function 'VALUE'");
  expectUsable();
}

TEST_F(SandboxTest, RuleErrorsNameFileAndLineAndKeepATraceback) {
  load("raise.lua", "function f()\n  local x = 1\n  error('no reader for site')\nend\n"
                    "function g()\n  error({ code = 7 })\nend\n"
                    "function h(f)\n  return f.missing.field\nend");
  const auto raised = call("raise.lua", "f");
  ASSERT_FALSE(raised.ok());
  EXPECT_EQ(raised.error().code, ErrorCode::RuleFailed);
  EXPECT_EQ(raised.error().message, "raise.lua:3: no reader for site");
  EXPECT_NE(raised.error().context.find("traceback"), std::string::npos)
      << raised.error().context;
  expectFailure("raise.lua", "g", ErrorCode::RuleFailed, "raise.lua:6: (error object is a table");
  expectFailure("raise.lua", "h", ErrorCode::RuleFailed, "raise.lua:9: attempt to index a nil");
}

TEST_F(SandboxTest, SyntaxErrorNamesFileAndLine) {
  const auto loaded = sandbox_->loadChunk("syntax.lua", "function f()\n  return 1 +\nend");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::RuleFailed);
  EXPECT_NE(loaded.error().message.find("syntax.lua:3:"), std::string::npos)
      << loaded.error().describe();
}

TEST_F(SandboxTest, AFailedReloadKeepsTheLoadedFile) {
  load("reload.lua", "function f() return 'old' end");
  EXPECT_FALSE(sandbox_->loadChunk("reload.lua", "function f() return 'new' end error('x')").ok());
  EXPECT_EQ(*call("reload.lua", "f"), Value("old"));
  load("reload.lua", "function f() return 'new' end");
  EXPECT_EQ(*call("reload.lua", "f"), Value("new"));
}

// --- Budgets -----------------------------------------------------------------------------------

TEST_F(SandboxTest, InfiniteLoopStopsOnTheInstructionBudget) {
  load("loop.lua", "function spin()\n  while true do end\nend");
  expectFailure("loop.lua", "spin", ErrorCode::ResourceExhausted,
                "loop.lua:2: instruction budget of 200000 exceeded");
  expectUsable();
}

TEST_F(SandboxTest, InfiniteLoopWhileLoadingStopsOnTheLoadBudget) {
  const auto loaded = sandbox_->loadChunk("load_loop.lua", "local n = 0\nwhile true do n = n + 1 end");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::ResourceExhausted);
  EXPECT_NE(loaded.error().message.find("load_loop.lua:2"), std::string::npos)
      << loaded.error().describe();
  EXPECT_FALSE(sandbox_->hasChunk("load_loop.lua"));
  expectUsable();
}

TEST_F(SandboxTest, DeadlineStopsALoopThatIsWithinItsInstructionBudget) {
  ManualSteadyClock clock;
  clock.step = 1ms;  // every reading (once per hook run) moves time on by 1 ms
  SandboxOptions options = testOptions(clock);
  options.call.instructions = 1'000'000'000;
  options.call.wall_time = 50ms;
  auto sandbox = make(std::move(options));
  load(*sandbox, "slow.lua", "function spin()\n  local n = 0\n  while true do n = n + 1 end\nend");
  const auto result = sandbox->call("slow.lua", "spin", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Timeout) << result.error().describe();
  EXPECT_NE(result.error().message.find("slow.lua:3: time limit of 50 ms exceeded"),
            std::string::npos)
      << result.error().describe();
}

TEST_F(SandboxTest, DeepRecursionFailsAndLeavesTheStateUsable) {
  load("recurse.lua", "local function down(n) return 1 + down(n + 1) end\n"
                      "function f() return down(1) end");
  const auto result = call("recurse.lua", "f");
  ASSERT_FALSE(result.ok());
  // Lua's stack grows until either its own limit ("stack overflow") or the memory cap: both stop it.
  EXPECT_TRUE(result.error().code == ErrorCode::RuleFailed ||
              result.error().code == ErrorCode::ResourceExhausted)
      << result.error().describe();
  EXPECT_NE(result.error().message.find("recurse.lua"), std::string::npos)
      << result.error().describe();
  expectUsable();
}

TEST_F(SandboxTest, StringRepBombHitsTheMemoryCap) {
  load("rep.lua", "function f() return string.rep('x', 1 << 30) end\n"
                  "function g() return ('ab'):rep(1 << 28, ',') end");
  expectFailure("rep.lua", "f", ErrorCode::ResourceExhausted, "memory limit exceeded");
  expectFailure("rep.lua", "g", ErrorCode::ResourceExhausted, "memory limit exceeded");
  expectUsable();
}

TEST_F(SandboxTest, HugeTableHitsTheMemoryCap) {
  SandboxOptions options = testOptions();
  options.call.instructions = 1'000'000'000;  // memory, not instructions, must stop it
  sandbox_ = make(std::move(options));
  load("table.lua", "function f()\n  local t = {}\n  for i = 1, 1e9 do t[i] = i end\n  return #t\nend");
  expectFailure("table.lua", "f", ErrorCode::ResourceExhausted, "memory limit exceeded");
  expectUsable();
}

TEST_F(SandboxTest, MemoryBombHitsTheMemoryCap) {
  SandboxOptions options = testOptions();
  options.call.instructions = 1'000'000'000;
  sandbox_ = make(std::move(options));
  load("bomb.lua", "function f()\n  local s, keep = 'x', {}\n"
                   "  while true do s = s .. s; keep[#keep + 1] = s end\nend");
  expectFailure("bomb.lua", "f", ErrorCode::ResourceExhausted, "memory limit exceeded");
  const std::size_t after_failure = sandbox_->memoryInUse();
  EXPECT_LT(after_failure, std::size_t{1} << 20) << "the failed call's garbage was collected";
  expectUsable();
}

TEST_F(SandboxTest, PcallCannotSwallowATrippedInstructionBudget) {
  load("swallow.lua", R"(
    function once() local ok = pcall(function() while true do end end) return "swallowed" end
    function again()
      for i = 1, 100 do pcall(function() while true do end end) end
      return "swallowed"
    end
    function handler()
      return xpcall(function() while true do end end, function(e) return "handled" end)
    end
    function loop_in_handler()
      return xpcall(function() error("x") end, function(e) while true do end end)
    end
    function loop_in_handler_after_trip()
      return xpcall(function() while true do end end, function(e) while true do end end)
    end)");
  expectFailure("swallow.lua", "once", ErrorCode::ResourceExhausted, "instruction budget");
  expectFailure("swallow.lua", "again", ErrorCode::ResourceExhausted, "instruction budget");
  expectFailure("swallow.lua", "handler", ErrorCode::ResourceExhausted, "instruction budget");
  expectFailure("swallow.lua", "loop_in_handler", ErrorCode::ResourceExhausted,
                "instruction budget");
  expectFailure("swallow.lua", "loop_in_handler_after_trip", ErrorCode::ResourceExhausted,
                "instruction budget");
  expectUsable();
}

TEST_F(SandboxTest, PcallCannotSwallowATrippedMemoryCap) {
  load("swallow_memory.lua", R"(
    function f()
      local ok, err = pcall(string.rep, "x", 1 << 30)
      return { ok = ok, err = err }
    end)");
  expectFailure("swallow_memory.lua", "f", ErrorCode::ResourceExhausted, "memory limit exceeded");
  expectUsable();
}

TEST_F(SandboxTest, PcallCannotSwallowATrippedDeadline) {
  ManualSteadyClock clock;
  clock.step = 1ms;
  SandboxOptions options = testOptions(clock);
  options.call.instructions = 1'000'000'000;
  options.call.wall_time = 20ms;
  auto sandbox = make(std::move(options));
  load(*sandbox, "late.lua",
       "function f() pcall(function() while true do end end) return 'on time' end");
  const auto result = sandbox->call("late.lua", "f", {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::Timeout) << result.error().describe();
}

TEST_F(SandboxTest, BudgetsReachCoroutines) {
  load("co.lua", R"(
    function wrapped() local co = coroutine.wrap(function() while true do end end) co() end
    function resumed()
      local ok = coroutine.resume(coroutine.create(function() while true do end end))
      return "swallowed"
    end
    function yielding()
      local co = coroutine.wrap(function() while true do coroutine.yield(1) end end)
      while true do co() end
    end
    function memory()
      local co = coroutine.create(function() return string.rep("x", 1 << 30) end)
      local ok = coroutine.resume(co)
      return "swallowed"
    end)");
  expectFailure("co.lua", "wrapped", ErrorCode::ResourceExhausted, "instruction budget");
  expectFailure("co.lua", "resumed", ErrorCode::ResourceExhausted, "instruction budget");
  expectFailure("co.lua", "yielding", ErrorCode::ResourceExhausted, "instruction budget");
  expectFailure("co.lua", "memory", ErrorCode::ResourceExhausted, "memory limit exceeded");
  expectUsable();
}

TEST_F(SandboxTest, PatternBacktrackingIsChargedToTheInstructionBudget) {
  // Lua's matcher never reaches the count hook: unguarded, the first of these runs for seconds.
  load("pattern_bomb.lua", R"(
    function stars() return string.find(string.rep("a", 2000), "a*a*b") end
    function digits() return (string.rep("1", 20000)):find("%d+x") end
    function lazy() return string.match(string.rep("a", 200), "a-a-a-a-b") end
    function gsub() return (string.gsub(string.rep("a", 2000), "a*a*b", "")) end
    function gmatch() for w in string.gmatch(string.rep("a", 2000), "a*a*b") do end end
    function swallowed()
      for i = 1, 100 do pcall(string.find, string.rep("a", 2000), "a*a*b") end
      return "swallowed"
    end
    function many()
      local s = string.rep("1", 50)
      for i = 1, 100000 do s:find("%d+x") end
    end)");
  for (const char* function : {"stars", "digits", "lazy", "gsub", "gmatch"}) {
    SCOPED_TRACE(function);
    expectFailure("pattern_bomb.lua", function, ErrorCode::ResourceExhausted,
                  "exceeded by a pattern match");
  }
  expectFailure("pattern_bomb.lua", "swallowed", ErrorCode::ResourceExhausted,
                "pattern_bomb.lua:8: instruction budget");
  // Each match fits, but their charged costs add up.
  expectFailure("pattern_bomb.lua", "many", ErrorCode::ResourceExhausted, "instruction budget");
  expectUsable();
}

TEST_F(SandboxTest, EverydayPatternsStillWork) {
  load("patterns.lua", R"lua(
    function f(study)
      local first, second = study.description:match("^(%w+)%s+(%w+)")
      local words = 0
      for _ in study.description:gmatch("%a+") do words = words + 1 end
      return { first = first, second = second, words = words,
               stat = study.description:find("STAT", 1, true) ~= nil,
               ed = string.find(study.ae, "^ED") ~= nil,
               tail = study.description:find("STAT", -4),
               cleaned = (study.description:gsub("%s+", "_")),
               set = study.ae:match("[%u_]+%d") }
    end)lua");
  const auto result = call("patterns.lua", "f",
                           Value::Map{{"description", "CT HEAD WO CONTRAST STAT"},
                                      {"ae", "ED_CT1"}});
  ASSERT_TRUE(result.ok()) << result.error().describe();
  EXPECT_EQ(*result, Value(Value::Map{{"first", "CT"},
                                      {"second", "HEAD"},
                                      {"words", 5},
                                      {"stat", true},
                                      {"ed", true},
                                      {"tail", 21},
                                      {"cleaned", "CT_HEAD_WO_CONTRAST_STAT"},
                                      {"set", "ED_CT1"}}));
}

TEST_F(SandboxTest, StateIsReusableAfterEachKindOfFailure) {
  load("mixed.lua", R"(
    function spin() while true do end end
    function bomb() return string.rep("x", 1 << 30) end
    function raise() error("boom") end
    function ok(f) return f.n * 2 end)");
  const std::size_t baseline = sandbox_->memoryInUse();
  for (int round = 0; round < 3; ++round) {
    EXPECT_FALSE(call("mixed.lua", "spin").ok());
    EXPECT_FALSE(call("mixed.lua", "bomb").ok());
    EXPECT_FALSE(call("mixed.lua", "raise").ok());
    const auto result = call("mixed.lua", "ok", Value::Map{{"n", 21}});
    ASSERT_TRUE(result.ok()) << result.error().describe();
    EXPECT_EQ(*result, Value(42));
  }
  EXPECT_LT(sandbox_->memoryInUse(), baseline + (std::size_t{64} << 10));
}

// --- Escapes -----------------------------------------------------------------------------------

TEST_F(SandboxTest, BinaryChunksAreRefused) {
  // Real bytecode from a plain Lua state.
  lua_State* plain = luaL_newstate();
  ASSERT_EQ(luaL_loadstring(plain, "function f() return 'from bytecode' end"), LUA_OK);
  std::string bytecode;
  lua_dump(
      plain,
      [](lua_State*, const void* p, size_t size, void* out) {
        static_cast<std::string*>(out)->append(static_cast<const char*>(p), size);
        return 0;
      },
      &bytecode, 0);
  lua_close(plain);
  ASSERT_EQ(bytecode.substr(0, 4), "\x1bLua");

  const auto loaded = sandbox_->loadChunk("binary.lua", bytecode);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::RuleFailed);
  EXPECT_NE(loaded.error().message.find("binary chunk"), std::string::npos)
      << loaded.error().describe();
  EXPECT_FALSE(sandbox_->hasChunk("binary.lua"));
}

TEST_F(SandboxTest, LoadAndStringDumpAreAbsent) {
  load("dump.lua", R"(
    function f()
      return { dump = string.dump == nil, method = ("").dump == nil,
               load = pcall(function() return load end) }
    end)");
  EXPECT_EQ(*call("dump.lua", "f"),
            Value(Value::Map{{"dump", true}, {"method", true}, {"load", false}}));
}

TEST_F(SandboxTest, StringMetatableIsClosed) {
  load("string_mt.lua", R"(
    function probe()
      return { metatable = getmetatable(""),
               index = pcall(function() return getmetatable("").__index end),
               set = pcall(setmetatable, "", {}),
               method = ("Neuro"):upper() }
    end
    function poison() local mt = getmetatable("") mt.__index = {} end)");
  EXPECT_EQ(*call("string_mt.lua", "probe"),
            Value(Value::Map{{"metatable", false}, {"index", false}, {"set", false},
                             {"method", "NEURO"}}));
  expectFailure("string_mt.lua", "poison", ErrorCode::RuleFailed, "string_mt.lua:8:");
}

TEST_F(SandboxTest, LibrariesCannotBeModified) {
  load("modify.lua", R"(
    function upper() string.upper = function() return "pwned" end end
    function add() string.extra = 1 end
    function insert() table.insert = nil end
    function pi() math.pi = 3 end
    function utf() utf8.char = nil end
    function co() coroutine.wrap = nil end
    function meta() setmetatable(string, {}) end
    function ok() return ("ct"):upper() .. string.upper("mr") .. math.floor(math.pi) end)");
  for (const char* function : {"upper", "add", "insert", "pi", "utf", "co"}) {
    SCOPED_TRACE(function);
    expectFailure("modify.lua", function, ErrorCode::RuleFailed, "read-only");
  }
  expectFailure("modify.lua", "meta", ErrorCode::RuleFailed, "protected metatable");
  EXPECT_EQ(*call("modify.lua", "ok"), Value("CTMR3"));

  const auto at_load = sandbox_->loadChunk("modify_at_load.lua", "string.upper = nil");
  ASSERT_FALSE(at_load.ok());
  EXPECT_NE(at_load.error().message.find("modify_at_load.lua:1:"), std::string::npos);
  const auto redefine = sandbox_->loadChunk("redefine.lua", "\nstring = {}");
  ASSERT_FALSE(redefine.ok());
  EXPECT_NE(redefine.error().message.find("redefine.lua:2: cannot redefine built-in 'string'"),
            std::string::npos)
      << redefine.error().describe();
}

TEST_F(SandboxTest, UndeclaredGlobalsAreErrorsNamingFileAndLine) {
  load("undeclared.lua", "function read()\n  return nope\nend\n"
                         "function write()\n  local x = 1\n  counter = x\nend\n"
                         "DECLARED = 1\nfunction overwrite()\n  DECLARED = 2\nend");
  expectFailure("undeclared.lua", "read", ErrorCode::RuleFailed,
                "undeclared.lua:2: undeclared global 'nope'");
  expectFailure("undeclared.lua", "write", ErrorCode::RuleFailed,
                "undeclared.lua:6: assignment to undeclared global 'counter'");
  expectFailure("undeclared.lua", "overwrite", ErrorCode::RuleFailed,
                "undeclared.lua:10: assignment to global 'DECLARED'");
  const auto at_load = sandbox_->loadChunk("undeclared_load.lua", "local a = 1\nlocal b = missing");
  ASSERT_FALSE(at_load.ok());
  EXPECT_NE(at_load.error().message.find("undeclared_load.lua:2: undeclared global 'missing'"),
            std::string::npos)
      << at_load.error().describe();
}

TEST_F(SandboxTest, DangerousGlobalsAreAbsent) {
  for (const char* name :
       {"io", "os", "package", "require", "debug", "dofile", "loadfile", "load", "loadstring",
        "collectgarbage", "rawset", "print", "_G", "setfenv", "getfenv", "module", "warn"}) {
    SCOPED_TRACE(name);
    const std::string chunk = std::string("probe_") + name + ".lua";
    load(chunk, std::string("function f() return ") + name + " end");
    expectFailure(chunk, "f", ErrorCode::RuleFailed, std::string("undeclared global '") + name);
  }
  load("random.lua", "function f() return { math.random == nil, math.randomseed == nil } end");
  EXPECT_EQ(*call("random.lua", "f"), Value(Value::Array{true, true}));
}

TEST_F(SandboxTest, FactsAreReadOnly) {
  load("facts.lua", R"(
    function set(f) f.modality = "MR" end
    function add(f) f.added = 1 end
    function nested(f) f.site.state = "CA" end
    function element(f) f.series[1] = "X" end
    function insert(f) table.insert(f.series, "X") end
    function sort(f) table.sort(f.series, function(a, b) return a > b end) end
    function unlock(f) setmetatable(f, nil) end
    function state(f) local _, s = pairs(f) s.modality = "MR" end
    function peek(f) return { mt = getmetatable(f), raw = rawget(f, "modality"), n = rawlen(f.series) } end)");
  for (const char* function : {"set", "add", "nested", "element", "insert", "sort", "state"}) {
    SCOPED_TRACE(function);
    expectFailure("facts.lua", function, ErrorCode::RuleFailed, "read-only", studyFacts());
  }
  expectFailure("facts.lua", "unlock", ErrorCode::RuleFailed, "protected metatable", studyFacts());
  EXPECT_EQ(*call("facts.lua", "peek", studyFacts()),
            Value(Value::Map{{"mt", "read-only"}, {"n", 0}}));
}

// One decision converts its facts once and hands them to every rule file it asks
// (prepareFacts): a file that tries to change them, and swallows the refusals, leaves the next
// file, and the next decision's round, the facts as they were.
TEST_F(SandboxTest, PreparedFactsAreSharedAndNoCallChangesThemForTheNext) {
  load("meddler.lua", R"(
    function route(f)
      pcall(function() f.modality = "MR" end)
      pcall(function() f.site.state = "CA" end)
      pcall(function() table.insert(f.series, "X") end)
      pcall(function() setmetatable(f, nil) end)
      return nil
    end)");
  load("reader.lua", R"(
    function route(f) return { modality = f.modality, state = f.site.state, n = #f.series } end)");
  auto facts = sandbox_->prepareFacts(studyFacts());
  ASSERT_TRUE(facts.ok()) << facts.error().describe();
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    const auto meddled = sandbox_->call("meddler.lua", "route", facts.value());
    ASSERT_TRUE(meddled.ok()) << meddled.error().describe();
    EXPECT_TRUE(meddled->isNil());
    const auto read = sandbox_->call("reader.lua", "route", facts.value());
    ASSERT_TRUE(read.ok()) << read.error().describe();
    EXPECT_EQ(*read, Value(Value::Map{{"modality", "CT"}, {"state", "TX"}, {"n", 3}}));
  }
}

TEST_F(SandboxTest, DeclaredDataIsFrozenAfterLoading) {
  load("frozen.lua", R"(
    LIMITS = { ct = { max = 3 } }
    local cache = {}
    local function remember(k) cache[k] = true end
    function change() LIMITS.ct.max = 4 end
    function add() LIMITS.mr = 1 end
    function keep(f) remember(f.modality) end
    function read() return LIMITS.ct.max end)");
  expectFailure("frozen.lua", "change", ErrorCode::RuleFailed, "read-only");
  expectFailure("frozen.lua", "add", ErrorCode::RuleFailed, "read-only");
  expectFailure("frozen.lua", "keep", ErrorCode::RuleFailed, "read-only", studyFacts());
  EXPECT_EQ(*call("frozen.lua", "read"), Value(3));
}

TEST_F(SandboxTest, FileLevelLocalsKeepNoStateBetweenCalls) {
  load("state.lua", R"(
    local count = 0
    local function helper() return "helper" end
    function bump() count = count + 1 return count end
    function bump_then_fail() count = count + 1 error("late") end
    function replace() helper = function() return "replaced" end end
    function swap_env() _ENV = {} end
    function peek() return { count, helper(), type(string) } end)");
  expectFailure("state.lua", "bump", ErrorCode::RuleFailed, "changed the file-level local 'count'");
  expectFailure("state.lua", "bump", ErrorCode::RuleFailed, "changed the file-level local 'count'");
  expectFailure("state.lua", "bump_then_fail", ErrorCode::RuleFailed, "state.lua:5: late");
  expectFailure("state.lua", "replace", ErrorCode::RuleFailed, "local 'helper'");
  expectFailure("state.lua", "swap_env", ErrorCode::RuleFailed, "local '_ENV'");
  EXPECT_EQ(*call("state.lua", "peek"), Value(Value::Array{0, "helper", "table"}));
}

TEST_F(SandboxTest, ACoroutineMadeWhileLoadingCannotBeKept) {
  for (const char* source : {"CO = coroutine.create(function() end)",
                             "local co = coroutine.wrap(function() end)\nfunction f() co() end",
                             "T = { co = coroutine.create(function() end) }"}) {
    SCOPED_TRACE(source);
    const auto loaded = sandbox_->loadChunk("keep_co.lua", source);
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().message.find("coroutine made while loading"), std::string::npos)
        << loaded.error().describe();
  }
}

TEST_F(SandboxTest, OneRuleFileCannotAffectAnother) {
  load("a.lua", R"(
    SHARED = "a"
    function attack()
      pcall(function() string.upper = function() return "pwned" end end)
      pcall(function() SHARED = "changed" end)
      pcall(function() _ENV.helper = function() return "pwned" end end)
      return pcall(function() return helper end)
    end
    function value() return SHARED end)");
  load("b.lua", R"(
    SHARED = "b"
    function helper() return "b helper" end
    function check() return { SHARED, helper(), ("x"):upper() } end)");
  EXPECT_EQ(*call("a.lua", "attack"), Value(false));
  EXPECT_EQ(*call("a.lua", "value"), Value("a"));
  EXPECT_EQ(*call("b.lua", "check"), Value(Value::Array{"b", "b helper", "X"}));
}

TEST_F(SandboxTest, SetmetatableOnlyInSafeForms) {
  load("meta.lua", R"(
    function gc() setmetatable({}, { __gc = function() while true do end end }) end
    function protected()
      local t = setmetatable({}, { __metatable = "mine" })
      setmetatable(t, {})
    end
    function class()
      local Reader = {}
      Reader.__index = Reader
      function Reader.name(self) return self.id end
      return setmetatable({ id = "r1" }, Reader):name()
    end
    function close()
      local guard <close> = setmetatable({}, { __close = function() while true do end end })
    end
    function xpcall_works()
      return { xpcall(function() error("x") end, function(e) return "handled: " .. e end) }
    end)");
  expectFailure("meta.lua", "gc", ErrorCode::RuleFailed, "__gc metamethods are not offered");
  expectFailure("meta.lua", "protected", ErrorCode::RuleFailed, "protected metatable");
  expectFailure("meta.lua", "close", ErrorCode::RuleFailed, "__close metamethods are not offered");
  EXPECT_EQ(*call("meta.lua", "xpcall_works"), Value(Value::Array{false, "handled: meta.lua:17: x"}));
  EXPECT_EQ(*call("meta.lua", "class"), Value("r1"));
}

}  // namespace
}  // namespace sundial::rules
