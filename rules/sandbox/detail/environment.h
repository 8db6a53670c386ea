#pragma once
// The allow list and the per-file environments. Internal to rules/sandbox.
//
// Globals are looked up through a chain of tables, all unreachable from Lua code except E:
//   E (the file's _ENV: always empty) -> D (what the file declared) -> G (the shared allow list)
//   -> an error "undeclared global 'x'" naming the file and line of the access.
// Writes to E declare into D while the file loads and are refused once it is frozen.
//
// Every function here may raise a Lua error and must run in protected mode.

#include <lua.hpp>

namespace sundial::rules::detail {

// Opens the standard libraries the allow list draws from, pushes the shared allow-list table G
// and closes the string metatable: getmetatable("") answers false and string methods resolve to
// the sandbox's string table (which has no dump).
void pushAllowedGlobals(lua_State* L);

// Pushes a new environment E and its declaration table D (D on top) over the allow list at
// `globals`.
void pushEnvironment(lua_State* L, int globals);

// Freezes the environment E at `env` whose declarations are at `decls`: later global writes are
// errors and every table reachable from the declarations becomes read-only (see pushFrozen).
// Pushes the upvalue cells of every Lua function reachable from the declarations, with their
// values now ({function, index, value, ...}), for restoreUpvalueCells.
void freezeEnvironment(lua_State* L, int env, int decls);

// Puts back every upvalue cell in `cells` that a call changed (a file-level local assigned, a
// local function replaced, _ENV reassigned) and returns the name of the first one changed, or
// nullptr. Allocates nothing and raises nothing, so it may run outside protected mode.
const char* restoreUpvalueCells(lua_State* L, int cells);

}  // namespace sundial::rules::detail
