import CLua
import Foundation

/// Makes the deadline bite within one instruction. The budget hook runs every 1,000
/// instructions, and a single instruction on long strings (comparing two 30 MiB strings)
/// can take milliseconds, so a script could overshoot its wall time by seconds. At the
/// deadline this sets the main thread's hook to fire on every instruction
/// (`lua_sethook` is safe to call from another thread; Lua documents it for signal
/// handlers). Coroutines keep the hook they were created with, and stay bounded by it.
///
/// Every run has one, so it must cost next to nothing: one thread (`DeadlineThread`)
/// keeps all deadlines in a heap, and arming or disarming is a lock and a few swaps. A
/// Dispatch timer source per run cost about 16 µs of CPU more, mostly system calls of
/// Dispatch's timer thread (measured with cronpp-lua-bench, 60,000 runs).
final class Watchdog: @unchecked Sendable {
  /// Guards `state`, which `bite` and `disarm` race for.
  private let lock = NSLock()
  private var state: OpaquePointer?
  /// On `cronpp_monotonic()`'s clock. Read and written under `DeadlineThread`'s lock, like
  /// `slot` (the place in its heap, -1 when out of it).
  fileprivate let deadline: Double
  fileprivate var slot = -1

  init(state: OpaquePointer, after seconds: Double) {
    self.state = state
    deadline = cronpp_monotonic() + max(0, seconds)
    DeadlineThread.shared.arm(self)
  }

  fileprivate func bite() {
    lock.lock()
    defer { lock.unlock() }
    if let state { lua_sethook(state, cronpp_hook, LUA_MASKCOUNT, 1) }
  }

  /// After this returns the watchdog will not touch the state, which may be closed.
  func disarm() {
    lock.lock()
    state = nil
    lock.unlock()
    DeadlineThread.shared.remove(self)
  }
}

/// The thread that bites at each armed watchdog's deadline. It sleeps until the earliest
/// one, and is woken only when a new deadline comes before it.
private final class DeadlineThread: @unchecked Sendable {
  static let shared = DeadlineThread()

  private let condition = NSCondition()
  /// A binary min-heap on `deadline`; each watchdog knows its slot, so disarming is
  /// O(log n) and leaves nothing behind.
  private var heap: [Watchdog] = []

  private init() {
    let thread = Thread { [self] in loop() }
    thread.name = "cronpp-deadlines"
    thread.start()
  }

  func arm(_ dog: Watchdog) {
    condition.lock()
    dog.slot = heap.count
    heap.append(dog)
    siftUp(dog.slot)
    if dog.slot == 0 { condition.signal() }
    condition.unlock()
  }

  func remove(_ dog: Watchdog) {
    condition.lock()
    defer { condition.unlock() }
    guard dog.slot >= 0 else { return }
    take(dog.slot)
  }

  private func loop() {
    condition.lock()
    while true {
      guard let first = heap.first else {
        condition.wait()
        continue
      }
      let wait = first.deadline - cronpp_monotonic()
      if wait > 0 {
        _ = condition.wait(until: Date(timeIntervalSinceNow: wait))
        continue
      }
      take(0)
      condition.unlock()
      first.bite()
      condition.lock()
    }
  }

  /// Removes the watchdog in `slot`, putting the last one in its place.
  private func take(_ slot: Int) {
    heap[slot].slot = -1
    let last = heap.removeLast()
    guard slot < heap.count else { return }
    heap[slot] = last
    last.slot = slot
    siftDown(slot)
    siftUp(last.slot)
  }

  private func siftUp(_ start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard heap[child].deadline < heap[parent].deadline else { return }
      swapAt(child, parent)
      child = parent
    }
  }

  private func siftDown(_ start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      guard left < heap.count else { return }
      let right = left + 1
      let child = right < heap.count && heap[right].deadline < heap[left].deadline ? right : left
      guard heap[child].deadline < heap[parent].deadline else { return }
      swapAt(child, parent)
      parent = child
    }
  }

  private func swapAt(_ a: Int, _ b: Int) {
    heap.swapAt(a, b)
    heap[a].slot = a
    heap[b].slot = b
  }
}
