#include "rules/sandbox/detail/read_only.h"

#include <cstdint>
#include <string>

namespace sundial::rules::detail {
namespace {

// Deeper nesting than this is refused both ways: facts and decisions are shallow, and the limit
// keeps the C++ recursion (and the C stack) bounded whatever a rule builds.
constexpr int kMaxDepth = 32;
// Frozen rule data may be a little deeper (lookup tables of tables), still bounded.
constexpr int kMaxFreezeDepth = 64;
constexpr const char* kProxyMetatableName = "read-only";

int refuseWrite(lua_State* L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    return luaL_error(L, "attempt to modify read-only table (field '%s')", lua_tostring(L, 2));
  }
  return luaL_error(L, "attempt to modify read-only table");
}

// Pushes the backing table of the proxy at `index`, or raises if it is not a proxy.
void pushBacking(lua_State* L, int index) {
  if (!isReadOnlyProxy(L, index)) luaL_error(L, "read-only table expected");
  lua_getmetatable(L, index);
  lua_rawgetp(L, -1, reinterpret_cast<const void*>(&refuseWrite));
  lua_remove(L, -2);
}

int proxyLength(lua_State* L) {
  pushBacking(L, 1);
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, -1)));
  return 1;
}

// next() over the backing table; the backing itself is never handed to Lua code.
int proxyNext(lua_State* L) {
  lua_settop(L, 2);
  pushBacking(L, 1);  // 3
  lua_pushvalue(L, 2);
  if (lua_next(L, 3) == 0) {
    lua_pushnil(L);
    return 1;
  }
  return 2;
}

int proxyPairs(lua_State* L) {
  pushBacking(L, 1);
  lua_pop(L, 1);
  lua_pushcfunction(L, proxyNext);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

void pushValue(lua_State* L, const Value& value, int depth);

void pushValue(lua_State* L, const Value& value, int depth) {
  if (depth > kMaxDepth) luaL_error(L, "facts nested deeper than %d levels", kMaxDepth);
  luaL_checkstack(L, 4, "facts nested too deeply");
  const Value::Storage& storage = value.storage();
  if (const auto* b = std::get_if<bool>(&storage)) {
    lua_pushboolean(L, *b ? 1 : 0);
    return;
  }
  if (const auto* i = std::get_if<std::int64_t>(&storage)) {
    lua_pushinteger(L, static_cast<lua_Integer>(*i));
    return;
  }
  if (const auto* d = std::get_if<double>(&storage)) {
    lua_pushnumber(L, static_cast<lua_Number>(*d));
    return;
  }
  if (const auto* s = std::get_if<std::string>(&storage)) {
    lua_pushlstring(L, s->data(), s->size());
    return;
  }
  if (const auto* array = std::get_if<Value::Array>(&storage)) {
    lua_createtable(L, static_cast<int>(array->size()), 0);
    lua_Integer n = 0;
    for (const Value& item : *array) {
      pushValue(L, item, depth + 1);
      lua_rawseti(L, -2, ++n);
    }
    pushReadOnlyProxy(L, -1);
    lua_remove(L, -2);
    return;
  }
  if (const auto* map = std::get_if<Value::Map>(&storage)) {
    lua_createtable(L, 0, static_cast<int>(map->size()));
    for (const auto& [key, item] : *map) {
      lua_pushlstring(L, key.data(), key.size());
      pushValue(L, item, depth + 1);
      lua_rawset(L, -3);
    }
    pushReadOnlyProxy(L, -1);
    lua_remove(L, -2);
    return;
  }
  lua_pushnil(L);
}

std::string describePath(const std::string& path) { return path.empty() ? "the result" : path; }

Value toValueAt(lua_State* L, int index, int depth, std::string& path);

Value tableToValue(lua_State* L, int table, int depth, std::string& path) {
  if (depth > kMaxDepth) {
    luaL_error(L, "%s is nested deeper than %d levels", describePath(path).c_str(), kMaxDepth);
  }
  luaL_checkstack(L, 6, "result nested too deeply");
  bool only_strings = true;
  bool only_integers = true;
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    lua_pop(L, 1);
    ++count;
    if (lua_type(L, -1) != LUA_TSTRING) only_strings = false;
    if (!lua_isinteger(L, -1)) only_integers = false;
  }
  const auto length = static_cast<lua_Integer>(lua_rawlen(L, table));
  if (count == 0 || (only_integers && length == count)) {
    Value::Array array;
    array.reserve(static_cast<std::size_t>(count));
    for (lua_Integer i = 1; i <= count; ++i) {
      if (lua_rawgeti(L, table, i) == LUA_TNIL) {
        luaL_error(L, "%s is a sparse sequence (no item %d)", describePath(path).c_str(),
                   static_cast<int>(i));
      }
      const std::size_t mark = path.size();
      path += '[' + std::to_string(i) + ']';
      array.push_back(toValueAt(L, lua_gettop(L), depth + 1, path));
      path.resize(mark);
      lua_pop(L, 1);
    }
    return Value(std::move(array));
  }
  if (!only_strings) {
    luaL_error(L, "%s is a table whose keys are neither all strings nor a sequence 1..n",
               describePath(path).c_str());
  }
  Value::Map map;
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    std::size_t key_length = 0;
    const char* key = lua_tolstring(L, -2, &key_length);  // a string: no conversion in place
    const std::size_t mark = path.size();
    path += '.';
    path.append(key, key_length);
    map.emplace(std::string(key, key_length), toValueAt(L, lua_gettop(L), depth + 1, path));
    path.resize(mark);
    lua_pop(L, 1);
  }
  return Value(std::move(map));
}

Value toValueAt(lua_State* L, int index, int depth, std::string& path) {
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      return Value();
    case LUA_TBOOLEAN:
      return Value(lua_toboolean(L, index) != 0);
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) return Value(static_cast<std::int64_t>(lua_tointeger(L, index)));
      return Value(static_cast<double>(lua_tonumber(L, index)));
    case LUA_TSTRING: {
      std::size_t length = 0;
      const char* text = lua_tolstring(L, index, &length);
      return Value(std::string(text, length));
    }
    case LUA_TTABLE: {
      if (isReadOnlyProxy(L, index)) {
        pushBacking(L, index);
        Value value = tableToValue(L, lua_gettop(L), depth, path);
        lua_pop(L, 1);
        return value;
      }
      return tableToValue(L, index, depth, path);
    }
    default:
      luaL_error(L, "%s is a %s value, which a rule cannot return", describePath(path).c_str(),
                 luaL_typename(L, index));
      return Value();
  }
}

// Replaces, in place, every table or Lua function value of the table at `table` by its frozen form.
void freezeContents(lua_State* L, int table, int visited, int depth);

void pushFrozenAt(lua_State* L, int index, int visited, int depth) {
  index = lua_absindex(L, index);
  const int type = lua_type(L, index);
  if (type == LUA_TTHREAD) {
    // A coroutine keeps its own stack, which a frozen table cannot protect.
    luaL_error(L, "a coroutine made while loading cannot be kept: rule files keep no state "
                  "between calls");
  }
  if (type == LUA_TFUNCTION && lua_iscfunction(L, index)) {
    // C closures (coroutine.wrap's, for one) are not changed, only checked for coroutines.
    for (int n = 1; lua_getupvalue(L, index, n) != nullptr; ++n) {
      const bool thread = lua_type(L, -1) == LUA_TTHREAD;
      lua_pop(L, 1);
      if (thread) {
        luaL_error(L, "a coroutine made while loading cannot be kept: rule files keep no state "
                      "between calls");
      }
    }
  }
  const bool lua_function = type == LUA_TFUNCTION && !lua_iscfunction(L, index);
  if (type != LUA_TTABLE && !lua_function) {
    lua_pushvalue(L, index);
    return;
  }
  if (depth > kMaxFreezeDepth) {
    luaL_error(L, "rule data nested deeper than %d levels cannot be frozen", kMaxFreezeDepth);
  }
  luaL_checkstack(L, 8, "rule data nested too deeply");
  lua_pushvalue(L, index);
  if (lua_rawget(L, visited) != LUA_TNIL) return;
  lua_pop(L, 1);

  if (lua_function) {
    lua_pushvalue(L, index);
    lua_pushvalue(L, index);
    lua_rawset(L, visited);
    for (int n = 1;; ++n) {
      if (lua_getupvalue(L, index, n) == nullptr) break;
      const int upvalue = lua_gettop(L);
      pushFrozenAt(L, upvalue, visited, depth + 1);
      if (lua_rawequal(L, upvalue, -1)) {
        lua_pop(L, 2);
        continue;
      }
      lua_setupvalue(L, index, n);
      lua_pop(L, 1);
    }
    lua_pushvalue(L, index);
    return;
  }
  if (isReadOnlyProxy(L, index)) {
    lua_pushvalue(L, index);
    lua_pushvalue(L, index);
    lua_rawset(L, visited);
    lua_pushvalue(L, index);
    return;
  }
  pushReadOnlyProxy(L, index);
  const int proxy = lua_gettop(L);
  lua_pushvalue(L, index);
  lua_pushvalue(L, proxy);
  lua_rawset(L, visited);
  freezeContents(L, index, visited, depth + 1);
  if (lua_getmetatable(L, index) != 0) {
    const int metatable = lua_gettop(L);
    lua_pushvalue(L, metatable);
    if (lua_rawget(L, visited) == LUA_TNIL) {
      // The metatable stays a plain table (its metamethods must still be found by raw lookup),
      // but what it refers to is frozen.
      lua_pushvalue(L, metatable);
      lua_pushvalue(L, metatable);
      lua_rawset(L, visited);
      freezeContents(L, metatable, visited, depth + 1);
    }
    lua_pop(L, 2);
  }
}

void freezeContents(lua_State* L, int table, int visited, int depth) {
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    const int value = lua_gettop(L);
    pushFrozenAt(L, value, visited, depth);
    if (lua_rawequal(L, value, -1)) {
      lua_pop(L, 2);
      continue;
    }
    // Assigning an existing field during traversal is allowed by lua_next.
    lua_pushvalue(L, value - 1);
    lua_insert(L, -2);
    lua_rawset(L, table);
    lua_pop(L, 1);
  }
}

}  // namespace

void pushReadOnlyProxy(lua_State* L, int backing) {
  backing = lua_absindex(L, backing);
  lua_createtable(L, 0, 0);
  lua_createtable(L, 0, 6);
  lua_pushvalue(L, backing);
  lua_setfield(L, -2, "__index");
  // The backing table is also kept under a key no Lua code can produce (a light userdata), so
  // that the C functions below find it without trusting __index.
  lua_pushvalue(L, backing);
  lua_rawsetp(L, -2, reinterpret_cast<const void*>(&refuseWrite));
  lua_pushcfunction(L, refuseWrite);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, proxyLength);
  lua_setfield(L, -2, "__len");
  lua_pushcfunction(L, proxyPairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushstring(L, kProxyMetatableName);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

bool isReadOnlyProxy(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TTABLE) return false;
  if (lua_getmetatable(L, index) == 0) return false;
  const bool proxy = lua_rawgetp(L, -1, reinterpret_cast<const void*>(&refuseWrite)) == LUA_TTABLE;
  lua_pop(L, 2);
  return proxy;
}

void pushFrozen(lua_State* L, int index, int visited) {
  pushFrozenAt(L, index, lua_absindex(L, visited), 0);
}

void pushFacts(lua_State* L, const Value& value) { pushValue(L, value, 0); }

Value toValue(lua_State* L, int index) {
  std::string path;
  return toValueAt(L, lua_absindex(L, index), 0, path);
}

}  // namespace sundial::rules::detail
