import CLua
import Foundation

/// Everything a run's bridges need, reachable from Lua as upvalue 1 of every bridge
/// (a light userdata; the runtime keeps the object alive until the state is closed).
/// Used only on the run's own thread.
final class RunContext {
  let task: LuaTask
  let run: LuaRunInfo
  let grants: LuaGrants
  let services: LuaServices
  let capture: LogCapture
  let budget: UnsafeMutablePointer<cronpp_budget>
  /// The data database, opened on the first `db` call.
  var data: (any DataSource)?
  var modules: ModuleResolver?

  init(task: LuaTask, run: LuaRunInfo, services: LuaServices, budget: UnsafeMutablePointer<cronpp_budget>) {
    (self.task, self.run, self.services, self.budget) = (task, run, services, budget)
    grants = LuaGrants(task.grants)
    capture = LogCapture(limit: task.limits.outputBytes, onLine: services.onLine)
    modules = task.modulesRoot.flatMap(ModuleResolver.init(root:))
  }

  /// Wall time left before the run's deadline, in seconds.
  var remaining: TimeInterval { max(0, budget.pointee.deadline - cronpp_monotonic()) }

  /// A call's own `timeout` argument at `index` in seconds, capped by `remaining` (the
  /// run's time left, read once by the caller, which also compares against it), which is
  /// also the default when the argument is nil; `nil` for anything but a positive number.
  func timeout(argument index: Int32, in L: OpaquePointer, within remaining: TimeInterval) -> TimeInterval? {
    switch lua_type(L, index) {
    case LUA_TNONE, LUA_TNIL: return remaining
    case LUA_TNUMBER:
      let given = lua_tonumberx(L, index, nil)
      return given > 0 ? min(given, remaining) : nil
    default: return nil
    }
  }

  /// Marks the wall-clock budget spent, after a bridged call ran into the deadline; the
  /// hook then raises it on the next instruction, whatever the script catches.
  func expire() {
    if budget.pointee.exhausted == 0 { budget.pointee.exhausted = 3 }
  }

  /// The error a bridge raises for `error`: a timeout spends the run's wall-clock budget.
  func fail(_ L: OpaquePointer, _ bridge: String, _ error: BridgeError) -> Int32 {
    if error.timedOut || remaining <= 0 {
      expire()
      return Bridges.fail(L, String(cString: cronpp_budget_message(budget)))
    }
    // A denial reads the same from every bridge: "not allowed: ... (grant with ...)".
    return Bridges.fail(L, error.message.hasPrefix("not allowed:") ? error.message : "\(bridge): \(error.message)")
  }

  static func from(_ L: OpaquePointer?) -> RunContext? {
    guard let L, let raw = lua_touserdata(L, cronpp_lua_upvalueindex(1)) else { return nil }
    return Unmanaged<RunContext>.fromOpaque(raw).takeUnretainedValue()
  }
}
