import Foundation

/// A fixed set of threads of ours that runs jobs in the order they come (`--workers N`).
///
/// Lua runs here, never on Swift's cooperative pool (DESIGN.md section 1): a run blocks in
/// bridged calls and recurses deep in C, so each worker has a large stack, and a busy pool
/// makes fires wait in line instead of starting more threads than the machine can carry.
public final class WorkerPool: @unchecked Sendable {
  private let condition = NSCondition()
  private var jobs: [@Sendable () -> Void] = []
  private var head = 0
  private var busy = 0
  private var closed = false

  public let size: Int

  public init(size: Int, name: String = "cronpp-worker") {
    self.size = size
    for index in 0..<size {
      let thread = Thread { [self] in work() }
      thread.stackSize = LuaThread.stackSize
      thread.name = "\(name)-\(index)"
      thread.start()
    }
  }

  /// Queues `jobs` in order, with one wake-up for the lot; free workers start them at once.
  public func submit(_ jobs: [@Sendable () -> Void]) {
    guard !jobs.isEmpty else { return }
    condition.lock()
    self.jobs.append(contentsOf: jobs)
    // Broadcast, not signal: a thread in `waitUntilIdle` waits on the same condition and
    // must not take the wake-up a worker needs.
    condition.broadcast()
    condition.unlock()
  }

  /// Jobs queued or running.
  public var pending: Int {
    condition.lock()
    defer { condition.unlock() }
    return jobs.count - head + busy
  }

  /// Waits until no job is queued or running, or `deadline` passes; true when idle.
  public func waitUntilIdle(before deadline: Date) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while jobs.count - head + busy > 0 {
      if !condition.wait(until: deadline) { return jobs.count - head + busy == 0 }
    }
    return true
  }

  /// Lets the workers end once the queue is empty.
  public func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  private func work() {
    Self.yieldToScheduler()
    while true {
      condition.lock()
      while head == jobs.count && !closed { condition.wait() }
      if head == jobs.count {
        condition.unlock()
        return
      }
      let job = jobs[head]
      head += 1
      if head > 1024 && head * 2 > jobs.count {
        jobs.removeFirst(head)
        head = 0
      }
      busy += 1
      condition.unlock()
      job()
      condition.lock()
      busy -= 1
      condition.broadcast()
      condition.unlock()
    }
  }

  /// Lowers this worker thread's priority (nice 10; on Linux `who` 0 is the calling thread), so
  /// the scheduler thread claiming the next fires is never queued behind running scripts:
  /// on a busy machine, scripts wait for the CPU, fires do not.
  private static func yieldToScheduler() {
    #if os(Linux)
    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
    #endif
  }
}
