import Foundation
import Synchronization

/// Hands the result of asynchronous work (a NIO future, a Swift task, a lookup on another
/// thread) to a plain thread that blocks until it arrives or a time limit passes.
///
/// Bridged calls block the run's own Lua thread, never a thread of Swift's cooperative pool,
/// so a semaphore is the right tool: the awaited work keeps every pool thread it needs.
final class BlockingWait<Value: Sendable>: Sendable {
  private let semaphore = DispatchSemaphore(value: 0)
  private let slot = Mutex<Value?>(nil)

  init() {}

  /// Delivers the result; a later delivery is ignored, so racing producers are harmless.
  func finish(_ value: Value) {
    let first = slot.withLock { slot -> Bool in
      guard case .none = slot else { return false }
      slot = value
      return true
    }
    if first { semaphore.signal() }
  }

  /// The result, or `nil` when `timeout` seconds pass first. May be called again after
  /// a timeout, and after a result (which it then returns at once).
  func wait(timeout: TimeInterval) -> Value? {
    let nanoseconds = UInt64(min(max(timeout, 0), 1e7) * 1e9)
    guard semaphore.wait(timeout: .now() + .nanoseconds(Int(nanoseconds))) == .success else { return nil }
    semaphore.signal()
    return slot.withLock { $0 }
  }

  /// Runs `work` on a thread of its own, for blocking C calls (such as `getaddrinfo`) that
  /// must not hold up the caller past `timeout`. A call that overruns keeps its thread until
  /// it returns, and its result is dropped.
  static func onThread(timeout: TimeInterval, _ work: @escaping @Sendable () -> Value) -> Value? {
    let wait = BlockingWait()
    let thread = Thread { wait.finish(work()) }
    thread.name = "cronpp-blocking"
    thread.start()
    return wait.wait(timeout: timeout)
  }
}

/// How a time limit reads in errors: `2s`, `0.5s`.
func secondsText(_ seconds: TimeInterval) -> String {
  let rounded = (seconds * 1000).rounded() / 1000
  return rounded == rounded.rounded() && abs(rounded) < 1e15 ? "\(Int64(rounded))s" : "\(rounded)s"
}
