#ifndef CRONPP_CLUA_SHIM_H
#define CRONPP_CLUA_SHIM_H
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <lua5.4/lauxlib.h>

/* Lua's API defines these as macros, which Swift cannot call; wrap them. */
static inline int cronpp_lua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
  return lua_pcall(L, nargs, nresults, msgh);
}
static inline void cronpp_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline const char *cronpp_lua_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline void cronpp_lua_newtable(lua_State *L) { lua_newtable(L); }
#endif
