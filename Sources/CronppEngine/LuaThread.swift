import CronppLua
import Foundation

/// Runs Lua on a thread of its own. Lua blocks in bridged calls (SQL, HTTP, sleep) and may
/// recurse deep in C, so it gets a dedicated thread with a large stack, never a thread of
/// Swift's cooperative pool (DESIGN.md section 1).
public enum LuaThread {
  /// The stack each run's thread gets: Lua's C recursion limit (200 levels) and the
  /// bridges need far less, but the default 512 KiB of a secondary thread is too tight.
  static let stackSize = 16 << 20

  /// Runs `work` on a new thread and waits for it.
  public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) -> T {
    let box = ResultBox<T>()
    let thread = Thread {
      box.value = work()
      box.done.signal()
    }
    thread.stackSize = stackSize
    thread.name = "cronpp-lua"
    thread.start()
    box.done.wait()
    return box.value!
  }

  /// Runs `work` on a new thread without blocking the caller's thread.
  public static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
      let thread = Thread { continuation.resume(returning: work()) }
      thread.stackSize = stackSize
      thread.name = "cronpp-lua"
      thread.start()
    }
  }
}

/// Hands a value from the run's thread to the waiting one; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
  var value: T?
  let done = DispatchSemaphore(value: 0)
}
