import CLua
import Foundation

/// Runs one Lua chunk in a fresh, sandboxed state under its budgets, and closes the state.
/// Nothing survives between runs: each gets its own state, globals and string metatable.
///
/// The call blocks its thread until the run ends; the engine calls it from threads it owns,
/// never from Swift's cooperative pool (DESIGN.md section 1).
public enum LuaRuntime {
  public static func run(_ source: String, chunkName: String, limits: LuaLimits = LuaLimits()) -> LuaRunOutcome {
    var budget = cronpp_budget(
      memory_used: 0, memory_limit: max(limits.memoryBytes, 256 << 10), instructions_left: limits.instructions,
      deadline: cronpp_monotonic() + limits.wallTime, hook_count: 1000, exhausted: 0)
    let capture = LogCapture(limit: limits.outputBytes)
    return withUnsafeMutablePointer(to: &budget) { budget -> LuaRunOutcome in
      guard let state = cronpp_newstate(budget) else {
        return LuaRunOutcome(status: .failed, result: nil, error: "memory limit exceeded", traceback: nil, lines: [])
      }
      var outcome = execute(source, chunkName: chunkName, in: state, capture: capture, budget: budget)
      // Closing runs pending `__close` handlers under what is left of the budget, at most
      // 100 ms. (`__gc` finalizers cannot exist: the sandbox refuses them.)
      budget.pointee.deadline = min(budget.pointee.deadline, cronpp_monotonic() + 0.1)
      lua_close(state)
      outcome.lines = capture.lines
      return outcome
    }
  }

  private static func execute(
    _ source: String, chunkName: String, in L: OpaquePointer, capture: LogCapture, budget: UnsafeMutablePointer<cronpp_budget>
  ) -> LuaRunOutcome {
    let context = Unmanaged.passUnretained(capture).toOpaque()
    Sandbox.install(in: L, context: context)
    var failure = LuaRunOutcome(status: .failed, result: nil, error: nil, traceback: nil, lines: [])

    lua_pushcclosure(L, cronpp_traceback, 0)
    let handler = lua_gettop(L)
    let utf8 = Array(source.utf8)
    let loaded = utf8.withUnsafeBufferPointer { buffer in
      buffer.baseAddress.map { base in
        base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { cronpp_loadtext(L, $0, buffer.count, "@" + chunkName) }
      } ?? cronpp_loadtext(L, "", 0, "@" + chunkName)
    }
    guard loaded == LUA_OK else {
      failure.error = string(at: -1, in: L) ?? "syntax error"
      return classify(failure, budget: budget)
    }
    guard cronpp_lua_pcall(L, 0, 1, Int32(handler)) == LUA_OK else {
      let message = string(at: -1, in: L) ?? "error"
      let split = message.components(separatedBy: "\nstack traceback:")
      failure.error = split[0]
      failure.traceback = split.count > 1 ? "stack traceback:" + split.dropFirst().joined(separator: "\nstack traceback:") : nil
      return classify(failure, budget: budget)
    }
    do throws(JSONBridge.Failure) {
      let result = lua_type(L, -1) == LUA_TNIL ? nil : try JSONBridge.encode(L, index: lua_gettop(L))
      return LuaRunOutcome(status: .success, result: result, error: nil, traceback: nil, lines: [])
    } catch {
      failure.error = "return value: \(error.message)"
      return classify(failure, budget: budget)
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
    return outcome
  }

  static func string(at index: Int32, in L: OpaquePointer) -> String? {
    var length = 0
    guard let pointer = lua_tolstring(L, index, &length) else { return nil }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
  }
}
