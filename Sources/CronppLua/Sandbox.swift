import CLua
import CLuaStrings
import Foundation

/// Builds the globals a script sees: the safe parts of the standard library and the
/// bridges. What is not installed here does not exist for the script (DESIGN.md section 5).
///
/// Bridges written in Swift go into a hidden table that a Lua snippet wraps into the public
/// globals. The core (log, print, json, time, sleep, the sandboxed load and setmetatable)
/// is installed for every run; the other families are loaded the first time the script
/// touches one of their globals, through `_G`'s `__index`, so a run pays only for what it
/// uses: that halves what a trivial run costs. Each snippet is compiled once per process
/// and kept as bytecode.
enum Sandbox {
  /// A family of bridges: Swift functions for the hidden table and the Lua that wraps them.
  protocol Family: Sendable {
    static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext)
    /// Lua run with `raw` bound to the hidden table.
    static var lua: String { get }
    /// The globals the snippet defines, which load it on first use.
    static var globals: [String] { get }
  }

  /// Loaded on first use, in this order of index (the core's Lua refers to the indexes).
  static let lazyFamilies: [any Family.Type] = [StateBridge.self, DataBridge.self, HTTPGlue.self, ExecGlue.self, ModuleBridge.self]

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
    pushRaw(L, Bridges.self, context: context, pointer: pointer)
    cronpp_push_bridge(L, pointer, loadFamily)
    lua_setfield(L, -2, "load_family")
    switch core {
    case .success(let bytecode): return call(bytecode, in: L)
    case .failure(let problem): return problem.message
    }
  }

  /// A new hidden table with `family`'s Swift functions, and the core's, which snippets
  /// share (http encodes JSON).
  private static func pushRaw(_ L: OpaquePointer, _ family: any Family.Type, context: RunContext, pointer: UnsafeMutableRawPointer) {
    lua_createtable(L, 0, 16)
    let register = { (name: String, function: cronpp_swift_function) in
      cronpp_push_bridge(L, pointer, function)
      lua_setfield(L, -2, name)
    }
    Bridges.register(in: L, register, context: context)
    if family != Bridges.self { family.register(in: L, register, context: context) }
  }

  /// Loads the snippet on top of the stack from `bytecode` and calls it with the table
  /// below it as its argument, popping both.
  private static func call(_ bytecode: [UInt8], in L: OpaquePointer) -> String? {
    let loaded = bytecode.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { cronpp_loadbinary(L, $0.baseAddress, $0.count, "@sandbox") }
    }
    guard loaded == LUA_OK else {
      defer { cronpp_lua_pop(L, 2) }
      return LuaRuntime.string(at: -1, in: L) ?? "error"
    }
    cronpp_lua_insert(L, -2)
    guard cronpp_lua_pcall(L, 1, 0, 0) == LUA_OK else {
      defer { cronpp_lua_pop(L, 1) }
      return LuaRuntime.string(at: -1, in: L) ?? "error"
    }
    return nil
  }

  /// `load_family(index)` -> the family's snippet as a function, and its hidden table. The
  /// core's `__index` calls the function (Lua calls Lua; Swift never does).
  static let loadFamily: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    let index = Int(lua_tointegerx(L, 1, nil))
    guard lazyFamilies.indices.contains(index), case .success(let bytecode) = snippets[index] else {
      return Bridges.fail(L, "sandbox: no family \(index)")
    }
    let loaded = bytecode.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { cronpp_loadbinary(L, $0.baseAddress, $0.count, "@sandbox") }
    }
    guard loaded == LUA_OK else { return -1 }
    pushRaw(L, lazyFamilies[index], context: context, pointer: Unmanaged.passUnretained(context).toOpaque())
    return 2
  }

  /// The core: the Bridges family, then `_G`'s `__index`, which loads a family the first
  /// time one of its globals is read. `setmetatable(_G, ...)` first loads every family, so
  /// a script that installs its own `_G` metatable (a strict mode) loses nothing.
  private static let core: Result<[UInt8], BridgeError> = {
    var owners: [String] = []
    for (index, family) in lazyFamilies.enumerated() {
      for name in family.globals { owners.append("[\"\(name)\"] = \(index)") }
    }
    let lazy = """
      local rawget, pairs, guarded = rawget, pairs, setmetatable
      local load_family = raw.load_family
      local owners = { \(owners.joined(separator: ", ")) }
      local loaded = {}
      local function load(index)
        if loaded[index] then return end
        loaded[index] = true
        local snippet, family_raw = load_family(index)
        snippet(family_raw)
      end
      local G = _G
      guarded(G, { __index = function(t, name)
        local index = owners[name]
        if index == nil then return nil end
        load(index)
        return rawget(t, name)
      end })
      setmetatable = function(t, mt)
        if t == G then
          for _, index in pairs(owners) do load(index) end
        end
        return guarded(t, mt)
      end
      """
    return compile("local raw = ...\ndo\n\(Bridges.lua)\nend\n" + lazy)
  }()

  /// Each lazy family's snippet, compiled once per process.
  private static let snippets: [Result<[UInt8], BridgeError>] = lazyFamilies.map { compile("local raw = ...\n" + $0.lua) }

  private static func compile(_ source: String) -> Result<[UInt8], BridgeError> {
    guard let L = luaL_newstate() else { return .failure(BridgeError("out of memory")) }
    defer { lua_close(L) }
    guard LuaRuntime.load(source, chunkName: "sandbox", in: L) == LUA_OK else {
      return .failure(BridgeError(LuaRuntime.string(at: -1, in: L) ?? "the prelude does not compile"))
    }
    var chunk = cronpp_chunk(data: nil, size: 0)
    defer { free(chunk.data) }
    guard cronpp_dump(L, &chunk) == 0, let data = chunk.data else { return .failure(BridgeError("cannot dump the prelude")) }
    return .success(Array(UnsafeRawBufferPointer(start: data, count: chunk.size).bindMemory(to: UInt8.self)))
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
