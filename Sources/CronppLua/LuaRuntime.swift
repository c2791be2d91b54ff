import CLua
import Foundation

/// Runs one task body in a fresh, sandboxed state under its budgets, and closes the state.
/// Nothing survives between runs: each gets its own state, globals and string metatable.
///
/// The call blocks its thread until the run ends; callers run it on threads they own
/// (`LuaThread`), never on Swift's cooperative pool (DESIGN.md section 1).
public enum LuaRuntime {
  public static func run(_ task: LuaTask, run info: LuaRunInfo = LuaRunInfo(), services: LuaServices = LuaServices()) -> LuaRunOutcome {
    let limits = task.limits
    var budget = cronpp_budget(
      memory_used: 0, memory_limit: max(limits.memoryBytes, 256 << 10), instructions_left: limits.instructions,
      deadline: cronpp_monotonic() + limits.wallTime, hook_count: 1000, exhausted: 0, in_bridge: 0)
    return withUnsafeMutablePointer(to: &budget) { budget -> LuaRunOutcome in
      let context = RunContext(task: task, run: info, services: services, budget: budget)
      return withExtendedLifetime(context) {
        guard let state = cronpp_newstate(budget) else {
          return LuaRunOutcome(status: .failed, result: nil, error: "memory limit exceeded", traceback: nil, lines: [])
        }
        let watchdog = Watchdog(state: state, after: limits.wallTime)
        var outcome = execute(task, in: state, context: context)
        // Closing runs pending `__close` handlers under what is left of the budget, at most
        // 100 ms. (`__gc` finalizers cannot exist: the sandbox refuses them.)
        budget.pointee.deadline = min(budget.pointee.deadline, cronpp_monotonic() + 0.1)
        watchdog.disarm()
        lua_close(state)
        context.data?.close()
        outcome.lines = context.capture.lines
        return outcome
      }
    }
  }

  /// A script with no task around it: no grants, no services. For tests and benchmarks.
  public static func run(_ source: String, chunkName: String, limits: LuaLimits = LuaLimits()) -> LuaRunOutcome {
    run(LuaTask(name: "script", source: source, chunkName: chunkName, limits: limits))
  }

  /// The syntax error in `source` as `chunk:line: message`, or `nil` when it compiles.
  /// Nothing runs: the chunk is only parsed, in a throwaway state.
  public static func syntaxError(in source: String, chunkName: String) -> String? {
    guard let L = luaL_newstate() else { return "out of memory" }
    defer { lua_close(L) }
    let status = load(source, chunkName: chunkName, in: L)
    return status == LUA_OK ? nil : string(at: -1, in: L) ?? "syntax error"
  }

  private static func execute(_ task: LuaTask, in L: OpaquePointer, context: RunContext) -> LuaRunOutcome {
    var failure = LuaRunOutcome(status: .failed, result: nil, error: nil, traceback: nil, lines: [])
    let budget = context.budget
    if let problem = Sandbox.install(in: L, context: context) {
      failure.error = "sandbox setup failed: \(problem)"
      return classify(failure, budget: budget)
    }

    lua_pushcclosure(L, cronpp_traceback, 0)
    let handler = lua_gettop(L)
    guard load(task.source, chunkName: task.chunkName, in: L) == LUA_OK else {
      failure.error = string(at: -1, in: L) ?? "syntax error"
      return classify(failure, budget: budget)
    }
    guard cronpp_lua_pcall(L, 0, 1, Int32(handler)) == LUA_OK else {
      let message = string(at: -1, in: L) ?? "error"
      let split = message.components(separatedBy: "\nstack traceback:")
      failure.error = split[0]
      failure.traceback = split.count > 1 ? tidy("stack traceback:" + split.dropFirst().joined(separator: "\nstack traceback:")) : nil
      return classify(failure, budget: budget)
    }
    // A spent budget caught by coroutine.resume can leave the main thread a few
    // instructions to return before its own hook fires: the run still failed.
    guard budget.pointee.exhausted == 0 else { return classify(failure, budget: budget) }
    do throws(JSONBridge.Failure) {
      let result = lua_type(L, -1) == LUA_TNIL ? nil : try JSONBridge.encode(L, index: lua_gettop(L))
      if let result, result.utf8.count > 1 << 20 {
        failure.error = "return value: larger than 1 MiB of JSON"
        return classify(failure, budget: budget)
      }
      return LuaRunOutcome(status: .success, result: result, error: nil, traceback: nil, lines: [])
    } catch {
      failure.error = "return value: \(error.message)"
      return classify(failure, budget: budget)
    }
  }

  /// The traceback without the sandbox's own frames (its Lua wrappers and the raw bridges
  /// they call), which say nothing about the script.
  private static func tidy(_ traceback: String) -> String {
    traceback.split(separator: "\n", omittingEmptySubsequences: false)
      .filter { !$0.hasPrefix("\tsandbox:") && !$0.hasPrefix("\t[C]: in upvalue ") }
      .joined(separator: "\n")
  }

  static func load(_ source: String, chunkName: String, in L: OpaquePointer) -> Int32 {
    var source = source
    let name = chunkName.hasPrefix("=") ? chunkName : "@" + chunkName
    return source.withUTF8 { buffer in
      buffer.withMemoryRebound(to: CChar.self) { chars in
        guard let base = chars.baseAddress else { return cronpp_loadtext(L, "", 0, name) }
        return cronpp_loadtext(L, base, chars.count, name)
      }
    }
  }

  /// A spent wall-clock budget is a timeout whatever the script did with the error; other
  /// spent budgets name themselves, so `error` always says why.
  private static func classify(_ outcome: LuaRunOutcome, budget: UnsafeMutablePointer<cronpp_budget>) -> LuaRunOutcome {
    var outcome = outcome
    switch budget.pointee.exhausted {
    case 0: break
    case 3:
      outcome.status = .timeout
      outcome.error = String(cString: cronpp_budget_message(budget))
    default:
      outcome.error = String(cString: cronpp_budget_message(budget))
    }
    if outcome.error?.isEmpty ?? true { outcome.error = "the script failed without a message" }
    if let error = outcome.error, error.utf8.count > 1 << 20 { outcome.error = String(decoding: error.utf8.prefix(1 << 20), as: UTF8.self) }
    return outcome
  }

  static func string(at index: Int32, in L: OpaquePointer) -> String? {
    var length = 0
    guard let pointer = lua_tolstring(L, index, &length) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
  }
}
