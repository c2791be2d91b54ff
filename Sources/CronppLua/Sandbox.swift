import CLua
import Foundation

/// Builds the globals a script sees: the safe parts of the standard library and the
/// bridges. What is not installed here does not exist for the script (DESIGN.md section 5).
enum Sandbox {
  static func install(in L: OpaquePointer, context: UnsafeMutableRawPointer) {
    cronpp_openlib(L, "_G", luaopen_base)
    cronpp_openlib(L, "table", luaopen_table)
    cronpp_openlib(L, "string", luaopen_string)
    cronpp_openlib(L, "math", luaopen_math)
    cronpp_openlib(L, "utf8", luaopen_utf8)
    cronpp_openlib(L, "coroutine", luaopen_coroutine)
    cronpp_openlib(L, "os", luaopen_os)

    for name in ["dofile", "loadfile", "require", "collectgarbage"] { setGlobal(L, name, nil) }
    setField(L, table: "string", "dump", nil)
    keepOnly(L, table: "os", ["time", "clock", "date", "difftime"])
    setGlobal(L, "pcall", cronpp_pcall)
    setGlobal(L, "xpcall", cronpp_xpcall)

    // Bridges written in Swift reach Lua through the C trampoline (errors never unwind Swift).
    lua_createtable(L, 0, 2)
    cronpp_push_bridge(L, context, Bridges.jsonEncode)
    lua_setfield(L, -2, "encode")
    cronpp_push_bridge(L, context, Bridges.jsonDecode)
    lua_setfield(L, -2, "decode")
    lua_setglobal(L, "json")
    lua_createtable(L, 0, 1)
    cronpp_push_bridge(L, context, Bridges.timeNow)
    lua_setfield(L, -2, "now")
    lua_setglobal(L, "time")
    cronpp_push_bridge(L, context, Bridges.emit)
    lua_setglobal(L, "__cronpp_emit")
    run(L, prelude, name: "=sandbox")
  }

  /// The parts written in Lua: text-only `load`, and `print`, `warn` and `log.*`, which
  /// turn their arguments into text in Lua (so a failing `__tostring` fails in Lua) and hand
  /// plain strings to the Swift side.
  private static let prelude = """
    local rawload, type, select, error, tostring, concat = load, type, select, error, tostring, table.concat
    local emit, encode = __cronpp_emit, json.encode
    __cronpp_emit = nil
    -- Lua runs __gc with hooks off, so no budget could stop a finalizer: there are none.
    local rawsetmetatable, rawget = setmetatable, rawget
    setmetatable = function(t, mt)
      if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("setmetatable: __gc finalizers are not allowed in the sandbox", 2)
      end
      return rawsetmetatable(t, mt)
    end
    load = function(chunk, name, mode, ...)
      if type(chunk) ~= "string" then error("load: only text chunks are allowed here", 2) end
      if select("#", ...) > 0 then return rawload(chunk, name, "t", (...)) end
      return rawload(chunk, name, "t")
    end
    local function text(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      return concat(parts, "\t")
    end
    print = function(...) emit("info", text(...)) end
    warn = function(...)
      local message = concat({...})
      if message:sub(1, 1) ~= "@" then emit("warn", message) end
    end
    local function logger(level)
      return function(message, fields)
        if fields ~= nil and type(fields) ~= "table" then error("log." .. level .. ": fields must be a table", 2) end
        emit(level, tostring(message), fields ~= nil and encode(fields) or nil)
      end
    end
    log = { debug = logger("debug"), info = logger("info"), warn = logger("warn"), error = logger("error") }
    """

  private static func run(_ L: OpaquePointer, _ code: String, name: String) {
    let bytes = Array(code.utf8)
    bytes.withUnsafeBufferPointer { buffer in
      buffer.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
        if cronpp_loadtext(L, base, buffer.count, name) == LUA_OK { _ = cronpp_lua_pcall(L, 0, 0, 0) } else { cronpp_lua_pop(L, 1) }
      }
    }
  }

  private static func setGlobal(_ L: OpaquePointer, _ name: String, _ function: lua_CFunction?) {
    if let function { lua_pushcclosure(L, function, 0) } else { lua_pushnil(L) }
    lua_setglobal(L, name)
  }

  private static func setField(_ L: OpaquePointer, table: String, _ name: String, _ function: lua_CFunction?) {
    lua_getglobal(L, table)
    if let function { lua_pushcclosure(L, function, 0) } else { lua_pushnil(L) }
    lua_setfield(L, -2, name)
    cronpp_lua_pop(L, 1)
  }

  /// Replaces a library table with one holding only `names`.
  private static func keepOnly(_ L: OpaquePointer, table: String, _ names: [String]) {
    lua_getglobal(L, table)
    let library = lua_gettop(L)
    lua_createtable(L, 0, Int32(names.count))
    for name in names {
      lua_getfield(L, library, name)
      lua_setfield(L, -2, name)
    }
    lua_setglobal(L, table)
    cronpp_lua_pop(L, 1)
  }
}
