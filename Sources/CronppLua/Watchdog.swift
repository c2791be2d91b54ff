import CLua
import Dispatch
import Foundation

/// Makes the deadline bite within one instruction. The budget hook runs every 1,000
/// instructions, and a single instruction on long strings (comparing two 30 MiB strings)
/// can take milliseconds, so a script could overshoot its wall time by seconds. At the
/// deadline this sets the main thread's hook to fire on every instruction
/// (`lua_sethook` is safe to call from another thread; Lua documents it for signal
/// handlers). Coroutines keep the hook they were created with, and stay bounded by it.
final class Watchdog: @unchecked Sendable {
  private let lock = NSLock()
  private var state: OpaquePointer?
  private let timer: DispatchSourceTimer

  init(state: OpaquePointer, after seconds: Double) {
    self.state = state
    timer = DispatchSource.makeTimerSource(queue: .global())
    timer.setEventHandler { [weak self] in self?.bite() }
    timer.schedule(deadline: .now() + max(0, seconds))
    timer.activate()
  }

  private func bite() {
    lock.lock()
    defer { lock.unlock() }
    if let state { lua_sethook(state, cronpp_hook, LUA_MASKCOUNT, 1) }
  }

  /// Stops the timer; after this returns it will not touch the state, which may be closed.
  func disarm() {
    lock.lock()
    state = nil
    lock.unlock()
    timer.cancel()
  }
}
