#ifndef CRONPP_CLUA_SHIM_H
#define CRONPP_CLUA_SHIM_H
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <lua5.4/lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Lua's API defines these as macros, which Swift cannot call; wrap them. */
static inline int cronpp_lua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
  return lua_pcall(L, nargs, nresults, msgh);
}
static inline void cronpp_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline const char *cronpp_lua_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline void cronpp_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline int cronpp_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int cronpp_lua_isnoneornil(lua_State *L, int i) { return lua_isnoneornil(L, i); }
static inline lua_Number cronpp_lua_tonumber(lua_State *L, int i) { return lua_tonumber(L, i); }
static inline void cronpp_lua_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void cronpp_lua_insert(lua_State *L, int i) { lua_insert(L, i); }

/* A run's budgets. Memory is enforced by the allocator, instructions and wall time by a
   count hook. Once a budget is spent it stays spent: the hook fires on every instruction and
   re-raises, and the sandbox's pcall/xpcall re-raise, so Lua code cannot swallow it. */
typedef struct cronpp_budget {
  size_t memory_used;
  size_t memory_limit;
  long long instructions_left;
  double deadline; /* CLOCK_MONOTONIC seconds */
  int hook_count;
  int exhausted; /* 0 none, 1 memory, 2 instructions, 3 wall time */
  int in_bridge; /* a Swift bridge is running: allocations may use the grace below */
} cronpp_budget;

/* While a Swift bridge pushes its results, an allocation failure would longjmp through
   Swift frames. So bridges may go this far over the limit, and the trampoline raises the
   spent memory budget from C once the bridge has returned. Bridges cap what they push
   (SQL results, HTTP bodies, process output) well below it. */
#define CRONPP_BRIDGE_GRACE ((size_t)96 << 20)

static inline double cronpp_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline const char *cronpp_budget_message(const cronpp_budget *b) {
  switch (b->exhausted) {
  case 1: return "memory limit exceeded";
  case 2: return "instruction budget exceeded";
  case 3: return "timeout: wall-clock budget exceeded";
  default: return "budget exceeded";
  }
}

static inline void *cronpp_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  cronpp_budget *b = (cronpp_budget *)ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    b->memory_used -= old;
    free(ptr);
    return NULL;
  }
  size_t limit = b->in_bridge ? b->memory_limit + CRONPP_BRIDGE_GRACE : b->memory_limit;
  if (nsize > old && b->memory_used + (nsize - old) > limit) {
    if (!b->exhausted) b->exhausted = 1;
    return NULL;
  }
  void *block = realloc(ptr, nsize);
  if (block) b->memory_used = b->memory_used - old + nsize;
  return block;
}

static inline cronpp_budget *cronpp_budget_of(lua_State *L) {
  return *(cronpp_budget **)lua_getextraspace(L);
}

static inline void cronpp_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  cronpp_budget *b = cronpp_budget_of(L);
  if (!b->exhausted) {
    b->instructions_left -= b->hook_count;
    if (b->instructions_left < 0) b->exhausted = 2;
    else if (cronpp_monotonic() > b->deadline) b->exhausted = 3;
  }
  if (b->exhausted) {
    lua_sethook(L, cronpp_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "%s", cronpp_budget_message(b));
  }
}

/* A new state whose allocator and hook answer to `budget`; coroutines inherit both
   (lua_newthread copies the hook and the main thread's extra space). */
static inline lua_State *cronpp_newstate(cronpp_budget *budget) {
  lua_State *L = lua_newstate(cronpp_alloc, budget);
  if (!L) return NULL;
  *(cronpp_budget **)lua_getextraspace(L) = budget;
  lua_sethook(L, cronpp_hook, LUA_MASKCOUNT, budget->hook_count);
  return L;
}

static inline int cronpp_finish_pcall(lua_State *L, int status, lua_KContext extra) {
  cronpp_budget *b = cronpp_budget_of(L);
  if (b->exhausted) return luaL_error(L, "%s", cronpp_budget_message(b));
  if (status != LUA_OK && status != LUA_YIELD) {
    lua_pushboolean(L, 0);
    lua_pushvalue(L, -2);
    return 2;
  }
  return lua_gettop(L) - (int)extra;
}

/* pcall and xpcall as in lbaselib.c, except that a spent budget is raised again. */
static inline int cronpp_pcall(lua_State *L) {
  luaL_checkany(L, 1);
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, cronpp_finish_pcall);
  return cronpp_finish_pcall(L, status, 0);
}

/* Lua calls a message handler before unwinding, so for an error raised by the budget hook
   the handler would run inside the hook, where hooks are off and nothing could stop it.
   The script's handler is therefore wrapped: once a budget is spent it is not called. */
static inline int cronpp_guarded_handler(lua_State *L) {
  if (cronpp_budget_of(L)->exhausted) {
    lua_settop(L, 1);
    return 1;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static inline int cronpp_xpcall(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_pushcclosure(L, cronpp_guarded_handler, 1);
  lua_replace(L, 2);
  lua_pushboolean(L, 1);
  lua_pushvalue(L, 1);
  lua_rotate(L, 3, 2);
  int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, cronpp_finish_pcall);
  return cronpp_finish_pcall(L, status, 2);
}

/* Message handler: the error's text plus a traceback. A non-string error object without
   __tostring is named by its type, so every failure has a message. */
static inline int cronpp_traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
    else msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Opens one standard library under its name (luaL_requiref without the macro dance). */
static inline void cronpp_openlib(lua_State *L, const char *name, lua_CFunction open) {
  luaL_requiref(L, name, open, 1);
  lua_pop(L, 1);
}

static inline int cronpp_loadtext(lua_State *L, const char *code, size_t size, const char *name) {
  return luaL_loadbufferx(L, code, size, name, "t");
}

/* The sandbox's own prelude is compiled once and kept as bytecode: parsing it took most of a
   trivial run's time. Only the host loads binary chunks, and only ones it dumped itself. */
typedef struct cronpp_chunk {
  char *data;
  size_t size;
} cronpp_chunk;

static inline int cronpp_chunk_writer(lua_State *L, const void *p, size_t size, void *ud) {
  (void)L;
  cronpp_chunk *chunk = (cronpp_chunk *)ud;
  char *grown = (char *)realloc(chunk->data, chunk->size + size);
  if (!grown) return 1;
  memcpy(grown + chunk->size, p, size);
  chunk->data = grown;
  chunk->size += size;
  return 0;
}

/* Dumps the function on top of the stack into `chunk` (free its data with free()). */
static inline int cronpp_dump(lua_State *L, cronpp_chunk *chunk) {
  return lua_dump(L, cronpp_chunk_writer, chunk, 0);
}

static inline int cronpp_loadbinary(lua_State *L, const char *code, size_t size, const char *name) {
  return luaL_loadbufferx(L, code, size, name, "b");
}

/* Swift functions must not be unwound by lua_error's longjmp, so a Swift bridge returns -1
   with its message on the stack, and this C trampoline raises it. Upvalue 1 is the run's
   context, upvalue 2 the Swift function. */
typedef int (*cronpp_swift_function)(lua_State *L);
static inline int cronpp_trampoline(lua_State *L) {
  cronpp_swift_function f = (cronpp_swift_function)lua_touserdata(L, lua_upvalueindex(2));
  cronpp_budget *b = cronpp_budget_of(L);
  b->in_bridge++;
  int n = f(L);
  b->in_bridge--;
  if (b->memory_used > b->memory_limit && !b->exhausted) b->exhausted = 1;
  if (b->exhausted) return luaL_error(L, "%s", cronpp_budget_message(b));
  if (n < 0) return lua_error(L);
  return n;
}
static inline void cronpp_push_bridge(lua_State *L, void *context, cronpp_swift_function f) {
  lua_pushlightuserdata(L, context);
  lua_pushlightuserdata(L, (void *)f);
  lua_pushcclosure(L, cronpp_trampoline, 2);
}
#endif
