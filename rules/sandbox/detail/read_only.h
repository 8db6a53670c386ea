#pragma once
// Read-only views of Lua tables, and the conversions between Lua values and rules::Value.
// Internal to rules/sandbox: Lua types appear only in this folder's detail headers.
//
// Every function here may raise a Lua error and must run in protected mode (inside a function
// called through lua_pcall); none lets a C++ exception escape.

#include <lua.hpp>

#include "rules/sandbox/value.h"

namespace sundial::rules::detail {

// Pushes a read-only proxy of the table at `backing`: an empty table whose metatable forwards
// reads to the backing table and refuses writes, answers # and pairs() for it, and hides itself
// from getmetatable/setmetatable. The backing table is reachable only through the proxy.
void pushReadOnlyProxy(lua_State* L, int backing);

// Whether the value at `index` is a proxy made by pushReadOnlyProxy.
bool isReadOnlyProxy(lua_State* L, int index);

// Pushes the value at `index` in frozen form. Tables become read-only proxies; their values, their
// metatables' values and the upvalues of Lua functions reachable from them are frozen in place,
// so that no table reachable from a frozen value can be changed. `visited` is the index of a
// scratch table that maps each value already frozen to its replacement (it breaks cycles and
// keeps shared tables shared). Scalar upvalues stay assignable.
void pushFrozen(lua_State* L, int index, int visited);

// Pushes `value` as Lua data: maps and arrays become read-only proxies, nested ones too.
void pushFacts(lua_State* L, const Value& value);

// Converts the Lua value at `index` into a Value; read-only proxies are read through. Raises a Lua
// error naming the path (".destinations[2]") for values that have no Value form (functions,
// userdata, threads, tables mixing key kinds, nesting deeper than the limit).
Value toValue(lua_State* L, int index);

}  // namespace sundial::rules::detail
