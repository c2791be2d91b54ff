import CLua
import Foundation

/// What a run knows about itself and keeps between runs: `task`, `run`, `kv` and `env`.
enum StateBridge: Sandbox.Family {
  static func register(in L: OpaquePointer, _ register: (String, cronpp_swift_function) -> Void, context: RunContext) {
    register("task_info", taskInfo)
    register("run_info", runInfo)
    register("kv_get", kvGet)
    register("kv_set", kvSet)
    register("kv_delete", kvDelete)
    register("env_get", envGet)
  }

  static let globals = ["task", "run", "kv", "env"]

  static let lua = """
    task = {}
    task.name, task.config = raw.task_info()
    run = {}
    run.id, run.attempt, run.trigger, run.scheduled_at = raw.run_info()
    kv = { get = raw.kv_get, set = raw.kv_set, delete = raw.kv_delete }
    env = { get = raw.env_get }
    """

  /// -> name, config (the task's JSON config as a table).
  static let taskInfo: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    lua_pushlstring(L, context.task.name, context.task.name.utf8.count)
    let pushed = Bridges.decode(context.task.config, into: L, bridge: "task.config")
    return pushed < 0 ? pushed : 2
  }

  /// -> id (nil when unrecorded), attempt, trigger, scheduled_at (Unix seconds or nil).
  static let runInfo: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    let run = context.run
    if let id = run.id { lua_pushinteger(L, id) } else { lua_pushnil(L) }
    lua_pushinteger(L, Int64(run.attempt))
    lua_pushlstring(L, run.trigger, run.trigger.utf8.count)
    if let at = run.scheduledAt { lua_pushnumber(L, at.timeIntervalSince1970) } else { lua_pushnil(L) }
    return 4
  }

  /// `kv.get(key)` -> the stored value, or nil.
  static let kvGet: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    guard let (state, key) = stateAndKey(L, context, "kv.get") else { return -1 }
    do throws(BridgeError) {
      guard let json = try state.get(key) else {
        lua_pushnil(L)
        return 1
      }
      return Bridges.decode(json, into: L, bridge: "kv.get")
    } catch {
      return context.fail(L, "kv.get", error)
    }
  }

  /// `kv.set(key, value)`: stores any JSON-encodable value; nil deletes the key.
  static let kvSet: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    guard let (state, key) = stateAndKey(L, context, "kv.set") else { return -1 }
    do throws(BridgeError) {
      if lua_type(L, 2) <= LUA_TNIL {
        try state.delete(key)
        return 0
      }
      let json: String
      do throws(JSONBridge.Failure) { json = try JSONBridge.encode(L, index: 2) } catch { throw BridgeError(error.message) }
      try state.set(key, json: json)
      return 0
    } catch {
      return context.fail(L, "kv.set", error)
    }
  }

  /// `kv.delete(key)`.
  static let kvDelete: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    guard let (state, key) = stateAndKey(L, context, "kv.delete") else { return -1 }
    do throws(BridgeError) {
      try state.delete(key)
      return 0
    } catch {
      return context.fail(L, "kv.delete", error)
    }
  }

  /// The state service and the key argument, or an error pushed (the caller returns -1).
  private static func stateAndKey(_ L: OpaquePointer, _ context: RunContext, _ bridge: String) -> (any TaskState, String)? {
    guard lua_type(L, 1) == LUA_TSTRING, let key = LuaRuntime.string(at: 1, in: L), !key.isEmpty, key.utf8.count <= 256 else {
      _ = Bridges.fail(L, "\(bridge): the key must be a non-empty string of at most 256 bytes")
      return nil
    }
    guard let state = context.services.state else {
      _ = Bridges.fail(L, "\(bridge): this run has no stored task to keep state for (run a stored task, or run --script --record)")
      return nil
    }
    return (state, key)
  }

  /// `env.get(name)` -> the variable's value or nil, for names the task was granted.
  static let envGet: cronpp_swift_function = { L in
    guard let L, let context = RunContext.from(L) else { return 0 }
    guard lua_type(L, 1) == LUA_TSTRING, let name = LuaRuntime.string(at: 1, in: L) else {
      return Bridges.fail(L, "env.get: expects a variable name")
    }
    guard context.grants.environment.contains(name) else {
      return Bridges.fail(L, "not allowed: env \(name) (grant with --allow env:\(name))")
    }
    if let value = context.services.environment[name] { lua_pushlstring(L, value, value.utf8.count) } else { lua_pushnil(L) }
    return 1
  }
}
