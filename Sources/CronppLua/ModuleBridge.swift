import CLua
import Foundation

/// `require(name)`: text modules from the tasks folder, loaded once per run into the same
/// sandbox, under the same budgets.
enum ModuleBridge: Sandbox.Family {
  static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext) {
    register("module_source", moduleSource)
  }

  static let globals = ["require"]

  static let lua = """
    local source, rawload, type, error = raw.module_source, load, type, error
    local loaded, loading = {}, {}
    require = function(name)
      if type(name) ~= "string" then error("require: expects a module name", 2) end
      local value = loaded[name]
      if value ~= nil then return value end
      if loading[name] then error("require: '" .. name .. "' requires itself (a cycle)", 2) end
      local text, chunk = source(name)
      local fn, problem = rawload(text, "@" .. chunk, "t")
      if not fn then error("require: " .. problem, 2) end
      loading[name] = true
      value = fn(name)
      loading[name] = nil
      if value == nil then value = true end
      loaded[name] = value
      return value
    end
    """

  /// -> the module's text and chunk name.
  static let moduleSource: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    let name = LuaRuntime.string(at: 1, in: L) ?? ""
    guard let modules = context.modules else {
      return Bridges.fail(L, "require: module '\(name)' not found (this run has no tasks folder)")
    }
    do throws(BridgeError) {
      let (text, chunk) = try modules.source(of: name)
      lua_pushlstring(L, text, text.utf8.count)
      lua_pushlstring(L, chunk, chunk.utf8.count)
      return 2
    } catch {
      return Bridges.fail(L, "require: \(error.message)")
    }
  }
}
