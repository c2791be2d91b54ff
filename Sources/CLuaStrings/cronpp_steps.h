/*
** Step accounting shared by cronpp's patched Lua libraries (lstrlib.c,
** ltablib.c). Private to CLuaStrings.
**
** Lua's count hook fires between VM instructions only, so a C function
** is outside every budget for as long as it runs. The loops here whose
** work the arguments choose count their steps, and every 'hook count'
** steps call the hook the host installed, as the VM would after that
** many instructions. cronpp's hook charges the instructions, checks the
** wall-clock deadline and raises when a budget is spent. Only Lua's
** public API is used, so any host's count hook is answered the same way.
*/

#ifndef CRONPP_STEPS_H
#define CRONPP_STEPS_H

#include <stddef.h>
#include <string.h>

#include <lua5.4/lua.h>


/*
** A step is one character that a loop looks at on its own, or one
** element a table function reads, writes or compares: about what one VM
** instruction costs. Bulk 'memchr'/'memcmp'/'memcpy' work is charged one
** step per CRONPP_BULKSTEP bytes, since they handle a vector at a time.
*/
#define CRONPP_BULKSTEP		16

/* steps below this never reach the hook (no hook count is smaller) */
#define CRONPP_STEPQUANTUM	1000


/* the hook is reached once per quantum: keep that path out of the loops */
#if defined(__GNUC__)
#define CRONPP_COLD	static __attribute__((noinline, cold, unused))
#else
#define CRONPP_COLD	static inline
#endif


/*
** Calls the installed count hook once for every 'hook count' steps in
** '*steps', as the VM would after that many instructions, and keeps the
** remainder. The hook may raise (a spent budget); 'ar' is zeroed because
** there is no running Lua function to describe. Without a count hook
** there is nothing to answer to, and the steps are dropped.
*/
CRONPP_COLD void cronpp_chargesteps (lua_State *L, size_t *steps) {
  lua_Hook h = lua_gethook(L);
  int count = lua_gethookcount(L);
  size_t quantum = (size_t)(count > 0 ? count : 1);
  if (h == NULL || !(lua_gethookmask(L) & LUA_MASKCOUNT)) {
    *steps = 0;
    return;
  }
  while (*steps >= quantum) {
    lua_Debug ar;
    memset(&ar, 0, sizeof(ar));
    ar.event = LUA_HOOKCOUNT;
    *steps -= quantum;
    h(L, &ar);
  }
}


/* adds 'n' steps to the counter '*st', calling the hook when due */
#define cronpp_addsteps(L,st,n)  \
  do { if ((*(st) += (size_t)(n)) >= CRONPP_STEPQUANTUM) \
         cronpp_chargesteps(L, st); } while (0)


/*
** Charges the work of one call that costs 'n' steps, for functions whose
** cost grows with their arguments but which keep no counter between
** calls. (Calls cheaper than a quantum are covered by the instruction
** that called them.)
*/
static inline void cronpp_chargework (lua_State *L, size_t n) {
  if (n >= CRONPP_STEPQUANTUM)
    cronpp_chargesteps(L, &n);
}

#endif
