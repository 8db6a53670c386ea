#include "rules/sandbox/detail/environment.h"

#include <cstring>

#include "rules/sandbox/detail/read_only.h"

namespace sundial::rules::detail {
namespace {

// Base functions offered as they are. Not offered: print, load, loadstring, dofile, loadfile,
// require, collectgarbage, rawset, warn, _G. setmetatable and xpcall are replaced by safe forms.
constexpr const char* kBaseFunctions[] = {
    "assert", "error",  "getmetatable", "ipairs",   "next",     "pairs",    "pcall",
    "rawequal", "rawget", "rawlen",     "select",   "tonumber", "tostring", "type",
};

// xpcall whose handler runs after the error has unwound, as an ordinary call. The real xpcall
// installs the handler as the message handler, and Lua calls that with hooks disabled when the
// error was raised by a hook (a tripped budget): a looping handler could then never be stopped.
// Without the debug library a handler cannot look at the failed stack anyway.
constexpr const char kSafeXpcall[] = R"(
local pcall, pack, unpack = ...
return function(f, handler, ...)
  local results = pack(pcall(f, ...))
  if results[1] then return unpack(results, 1, results.n) end
  local _, handled = pcall(handler, results[2])
  return false, handled
end)";

struct Library {
  const char* name;
  lua_CFunction open;
  const char* const* left_out;  // nullptr-terminated
};

// string.dump would hand out bytecode; math.random/randomseed are unseeded state: randomness and
// time come in the facts so that replays are exact.
constexpr const char* kStringLeftOut[] = {"dump", nullptr};
constexpr const char* kMathLeftOut[] = {"random", "randomseed", nullptr};
constexpr const char* kNothingLeftOut[] = {nullptr};

const Library kLibraries[] = {
    {LUA_STRLIBNAME, luaopen_string, kStringLeftOut},
    {LUA_TABLIBNAME, luaopen_table, kNothingLeftOut},
    {LUA_MATHLIBNAME, luaopen_math, kMathLeftOut},
    {LUA_UTF8LIBNAME, luaopen_utf8, kNothingLeftOut},
    {LUA_COLIBNAME, luaopen_coroutine, kNothingLeftOut},
};

bool leftOut(const char* const* list, const char* name) {
  for (; *list != nullptr; ++list) {
    if (std::strcmp(*list, name) == 0) return true;
  }
  return false;
}

// setmetatable(t, mt) on tables only, never over a protected metatable, and never with __gc:
// finalizers run with hooks off (no budget could stop them) and at times no rule controls. No
// __close either: to-be-closed variables can run while a thread unwinds from a tripped budget.
int safeSetmetatable(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const int type = lua_type(L, 2);
  luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) {
    return luaL_error(L, "cannot change a protected metatable");
  }
  if (type == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "__gc metamethods are not offered");
    lua_pop(L, 1);
    lua_pushliteral(L, "__close");
    if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "__close metamethods are not offered");
    lua_pop(L, 1);
  }
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

int undeclaredGlobal(lua_State* L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    return luaL_error(L, "undeclared global '%s'", lua_tostring(L, 2));
  }
  return luaL_error(L, "undeclared global (a %s key)", luaL_typename(L, 2));
}

// __newindex of E while the file loads. Upvalues: D, G.
int declareGlobal(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return luaL_error(L, "global names must be strings");
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(2)) != LUA_TNIL) {
    return luaL_error(L, "cannot redefine built-in '%s'", lua_tostring(L, 2));
  }
  lua_pop(L, 1);
  lua_settop(L, 3);
  lua_rawset(L, lua_upvalueindex(1));
  return 0;
}

// __newindex of E once frozen. Upvalue: D.
int refuseGlobalWrite(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return luaL_error(L, "global names must be strings");
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) == LUA_TNIL) {
    return luaL_error(L, "assignment to undeclared global '%s'", lua_tostring(L, 2));
  }
  return luaL_error(L,
                    "assignment to global '%s': a rule file's globals are read-only after loading",
                    lua_tostring(L, 2));
}

void copyLibrary(lua_State* L, int globals, const Library& library) {
  luaL_requiref(L, library.name, library.open, 0);
  const int original = lua_gettop(L);
  lua_newtable(L);
  const int copy = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, original) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && leftOut(library.left_out, lua_tostring(L, -2))) {
      lua_pop(L, 1);
      continue;
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, copy);
  }
  if (std::strcmp(library.name, LUA_STRLIBNAME) == 0) {
    // Strings index the copy directly (fast method calls); the copy is reachable from Lua only
    // through the string metatable, which __metatable now hides.
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, copy);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
  }
  pushReadOnlyProxy(L, copy);
  lua_setfield(L, globals, library.name);
  lua_settop(L, original - 1);
}

void pushSafeXpcall(lua_State* L, int base) {
  if (luaL_loadbufferx(L, kSafeXpcall, sizeof kSafeXpcall - 1, "=xpcall", "t") != LUA_OK) {
    lua_error(L);
  }
  lua_newtable(L);  // the helper uses no globals: an empty _ENV
  lua_setupvalue(L, -2, 1);
  lua_getfield(L, base, "pcall");
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);
  lua_getfield(L, -1, "pack");
  lua_getfield(L, -2, "unpack");
  lua_remove(L, -3);
  lua_call(L, 3, 1);
}

}  // namespace

void pushAllowedGlobals(lua_State* L) {
  luaL_requiref(L, LUA_GNAME, luaopen_base, 0);
  const int base = lua_gettop(L);
  lua_newtable(L);
  const int globals = lua_gettop(L);
  for (const char* name : kBaseFunctions) {
    lua_getfield(L, base, name);
    lua_setfield(L, globals, name);
  }
  lua_pushcfunction(L, safeSetmetatable);
  lua_setfield(L, globals, "setmetatable");
  pushSafeXpcall(L, base);
  lua_setfield(L, globals, "xpcall");
  lua_getfield(L, base, "_VERSION");
  lua_setfield(L, globals, "_VERSION");
  for (const Library& library : kLibraries) copyLibrary(L, globals, library);

  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, undeclaredGlobal);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, globals);
  lua_remove(L, base);
}

void pushEnvironment(lua_State* L, int globals) {
  globals = lua_absindex(L, globals);
  lua_newtable(L);  // E
  const int env = lua_gettop(L);
  lua_newtable(L);  // D
  const int decls = lua_gettop(L);

  lua_createtable(L, 0, 2);
  lua_pushvalue(L, globals);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, decls);

  lua_createtable(L, 0, 3);
  lua_pushvalue(L, decls);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, decls);
  lua_pushvalue(L, globals);
  lua_pushcclosure(L, declareGlobal, 2);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, env);
}

void freezeEnvironment(lua_State* L, int env, int decls) {
  env = lua_absindex(L, env);
  decls = lua_absindex(L, decls);
  lua_getmetatable(L, env);
  lua_pushvalue(L, decls);
  lua_pushcclosure(L, refuseGlobalWrite, 1);
  lua_setfield(L, -2, "__newindex");
  lua_pop(L, 1);

  lua_newtable(L);  // visited: E and D are already closed to writes
  const int visited = lua_gettop(L);
  lua_pushvalue(L, env);
  lua_pushvalue(L, env);
  lua_rawset(L, visited);
  lua_pushvalue(L, decls);
  lua_pushvalue(L, decls);
  lua_rawset(L, visited);

  lua_pushnil(L);
  while (lua_next(L, decls) != 0) {
    const int value = lua_gettop(L);
    pushFrozen(L, value, visited);
    if (lua_rawequal(L, value, -1)) {
      lua_pop(L, 2);
      continue;
    }
    lua_pushvalue(L, value - 1);
    lua_insert(L, -2);
    lua_rawset(L, decls);
    lua_pop(L, 1);
  }

  // Every Lua function reached above is a key of `visited`: record its upvalue cells.
  lua_newtable(L);
  const int cells = lua_gettop(L);
  lua_Integer n = 0;
  lua_pushnil(L);
  while (lua_next(L, visited) != 0) {
    const int key = lua_gettop(L) - 1;
    if (lua_type(L, key) == LUA_TFUNCTION && !lua_iscfunction(L, key)) {
      for (int i = 1; lua_getupvalue(L, key, i) != nullptr; ++i) {
        lua_pushvalue(L, key);
        lua_rawseti(L, cells, ++n);
        lua_pushinteger(L, i);
        lua_rawseti(L, cells, ++n);
        lua_rawseti(L, cells, ++n);  // the value
      }
    }
    lua_pop(L, 1);
  }
  lua_remove(L, visited);
}

const char* restoreUpvalueCells(lua_State* L, int cells) {
  cells = lua_absindex(L, cells);
  const char* changed = nullptr;
  const auto size = static_cast<lua_Integer>(lua_rawlen(L, cells));
  for (lua_Integer n = 1; n + 2 <= size; n += 3) {
    lua_rawgeti(L, cells, n);  // function
    const int function = lua_gettop(L);
    const int upvalue = static_cast<int>((lua_rawgeti(L, cells, n + 1), lua_tointeger(L, -1)));
    lua_pop(L, 1);
    lua_rawgeti(L, cells, n + 2);  // the value at freezing
    const char* name = lua_getupvalue(L, function, upvalue);
    if (name != nullptr && !lua_rawequal(L, -1, -2)) {
      if (changed == nullptr) changed = name;
      lua_pop(L, 1);
      lua_setupvalue(L, function, upvalue);
    } else {
      lua_pop(L, name != nullptr ? 2 : 1);
    }
    lua_pop(L, 1);
  }
  return changed;
}

}  // namespace sundial::rules::detail
