#ifndef CRONPP_STRINGS_H
#define CRONPP_STRINGS_H
#include <lua5.4/lua.h>

/* Opens Lua 5.4.4's string library as patched in lstrlib.c: liblua's own luaopen_string
   runs patterns in C, where the count hook never fires, so a pathological pattern would
   outlast every budget; this one charges its loops to the hook, and has no string.dump. */
int cronpp_luaopen_string(lua_State *L);

/* Opens Lua 5.4.4's table library as patched in ltablib.c: liblua's own luaopen_table moves,
   inserts, removes, concatenates and sorts in C loops the count hook never interrupts
   (table.move({}, 1, 1 << 62, 1)), so one call would outlast every budget; this one charges
   each element and comparison to the hook. */
int cronpp_luaopen_table(lua_State *L);
#endif
