import CLua
import CLuaStrings
import Foundation

/// Builds the globals a script sees: the safe parts of the standard library and the
/// bridges. What is not installed here does not exist for the script (DESIGN.md section 5).
///
/// Bridges written in Swift go into a hidden table, `__cronpp`, which one Lua prelude (the
/// families' snippets joined) wraps into the public globals and then removes.
enum Sandbox {
  /// A family of bridges: Swift functions for the hidden table and the Lua that wraps them.
  protocol Family: Sendable {
    static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext)
    /// Lua run with `raw` bound to the hidden table.
    static var lua: String { get }
  }

  static let families: [any Family.Type] = [Bridges.self, StateBridge.self, DataBridge.self, HTTPGlue.self, ExecGlue.self, ModuleBridge.self]

  /// Returns why the sandbox could not be built (a bug, or memory exhausted), or `nil`.
  static func install(in L: OpaquePointer, context: RunContext) -> String? {
    cronpp_openlib(L, "_G", luaopen_base)
    cronpp_openlib(L, "table", cronpp_luaopen_table)
    cronpp_openlib(L, "string", cronpp_luaopen_string)
    cronpp_openlib(L, "math", luaopen_math)
    cronpp_openlib(L, "utf8", luaopen_utf8)
    cronpp_openlib(L, "coroutine", luaopen_coroutine)
    cronpp_openlib(L, "os", luaopen_os)

    for name in ["dofile", "loadfile", "require", "collectgarbage"] { setGlobal(L, name, nil) }
    setField(L, table: "string", "dump", nil)
    keepOnly(L, table: "os", ["time", "clock", "date", "difftime"])
    setGlobal(L, "pcall", cronpp_pcall)
    setGlobal(L, "xpcall", cronpp_xpcall)

    let pointer = Unmanaged.passUnretained(context).toOpaque()
    lua_createtable(L, 0, 32)
    for family in families {
      family.register(in: L, { name, function in
        cronpp_push_bridge(L, pointer, function)
        lua_setfield(L, -2, name)
      }, context: context)
    }
    lua_setglobal(L, "__cronpp")
    let loaded: Int32
    switch prelude {
    case .success(let bytecode):
      loaded = bytecode.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { cronpp_loadbinary(L, $0.baseAddress, $0.count, "@sandbox") }
      }
    case .failure(let problem):
      return problem.message
    }
    guard loaded == LUA_OK, cronpp_lua_pcall(L, 0, 0, 0) == LUA_OK else {
      defer { cronpp_lua_pop(L, 1) }
      return LuaRuntime.string(at: -1, in: L) ?? "error"
    }
    return nil
  }

  /// The families' Lua as one chunk, each in its own block, compiled once per process.
  private static let prelude: Result<[UInt8], BridgeError> = {
    let blocks = families.map { "do\n\($0.lua)\nend" }.joined(separator: "\n")
    let source = "local raw = __cronpp\n__cronpp = nil\n" + blocks
    guard let L = luaL_newstate() else { return .failure(BridgeError("out of memory")) }
    defer { lua_close(L) }
    guard LuaRuntime.load(source, chunkName: "sandbox", in: L) == LUA_OK else {
      return .failure(BridgeError(LuaRuntime.string(at: -1, in: L) ?? "the prelude does not compile"))
    }
    var chunk = cronpp_chunk(data: nil, size: 0)
    defer { free(chunk.data) }
    guard cronpp_dump(L, &chunk) == 0, let data = chunk.data else { return .failure(BridgeError("cannot dump the prelude")) }
    return .success(Array(UnsafeRawBufferPointer(start: data, count: chunk.size).bindMemory(to: UInt8.self)))
  }()

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
