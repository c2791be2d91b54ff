import CronppStore
import Foundation
import Testing

/// The claim protocol: each fire is taken by exactly one caller, however many race for it.
struct ClaimTests {
  @Test("due tasks are the enabled ones whose next fire has come, earliest first")
  func dueTasks() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let a = try temp.add("a", schedule: "*/5 * * * *")
    _ = try temp.add("b", schedule: "0 * * * *")
    try temp.store.update("b", action: "disable", actor: "tester") { $0.enabled = false }
    let firstFire = try #require(a.nextRunAt)
    #expect(try temp.store.dueTasks(at: firstFire.addingTimeInterval(-1)).isEmpty)
    #expect(try temp.store.dueTasks(at: firstFire).map(\.name) == ["a"])
    #expect(try temp.store.nextWake() == firstFire)
  }

  @Test("a fire is claimed once; the claim moves the task to its next fire")
  func claimOnce() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("a", schedule: "*/5 * * * *")
    let fire = try #require(task.nextRunAt)
    let next = try #require(Store.nextRun(of: task, after: fire))
    #expect(try temp.store.claim(task, fire: fire, next: next))
    #expect(try !temp.store.claim(task, fire: fire, next: next))
    #expect(try temp.store.task(named: "a").nextRunAt == next)
    #expect(next.timeIntervalSince(fire) == 300)
  }

  @Test("a disabled task's fire cannot be claimed")
  func disabledNotClaimed() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("a")
    let fire = try #require(task.nextRunAt)
    try temp.store.update("a", action: "disable", actor: "tester") { $0.enabled = false }
    #expect(try !temp.store.claim(task, fire: fire, next: fire.addingTimeInterval(300)))
  }

  @Test("four connections racing over 200 fires claim each exactly once")
  func racingClaims() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("a", schedule: "* * * * *")
    let first = try #require(task.nextRunAt)
    let fires = (0..<200).map { first.addingTimeInterval(Double($0) * 60) }
    let stores = try (0..<4).map { _ in try Store(path: temp.path) }
    let wins = Wins()
    DispatchQueue.concurrentPerform(iterations: stores.count) { worker in
      for (index, fire) in fires.enumerated() {
        let next = index + 1 < fires.count ? fires[index + 1] : nil
        // A claim that loses, or waits on the lock past the busy timeout, does not run the fire.
        if (try? stores[worker].claim(task, fire: fire, next: next)) == true { wins.add(fire) }
      }
    }
    #expect(wins.sorted == fires)
  }
}

/// Fires won by the racing workers, collected under a lock.
private final class Wins: @unchecked Sendable {
  private let lock = NSLock()
  private var fires: [Date] = []

  func add(_ fire: Date) {
    lock.lock()
    fires.append(fire)
    lock.unlock()
  }

  var sorted: [Date] {
    lock.lock()
    defer { lock.unlock() }
    return fires.sorted()
  }
}
