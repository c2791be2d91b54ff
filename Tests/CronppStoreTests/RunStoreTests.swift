import CronppStore
import Foundation
import Testing

struct RunStoreTests {
  func finished(_ task: TaskRecord, at offset: Double, duration: Double, _ status: RunStatus) -> RunRecord {
    let start = TemporaryStore.now.addingTimeInterval(offset)
    return RunRecord(taskId: task.id!, trigger: .schedule, startedAt: start, finishedAt: start.addingTimeInterval(duration), status: status)
  }

  @Test("recording runs keeps counters, consecutive failures and last success and failure")
  func counters() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("job")
    for (i, status) in [RunStatus.success, .failed, .timeout, .success, .failed].enumerated() {
      try temp.store.record(finished(task, at: Double(i) * 60, duration: 1, status))
    }
    let stored = try temp.store.task(named: "job")
    #expect(stored.successCount == 2 && stored.failureCount == 3 && stored.consecutiveFailures == 1)
    #expect(stored.lastStatus == .failed)
    #expect(stored.lastSuccessAt == TemporaryStore.now.addingTimeInterval(181))
  }

  @Test("statistics give the average and the 95th percentile of durations")
  func statistics() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("job")
    for i in 1...100 { try temp.store.record(finished(task, at: Double(i), duration: Double(i), .success)) }
    let stats = try temp.store.statistics(of: try temp.store.task(named: "job"))
    #expect(stats.runs == 100)
    #expect(stats.averageDuration == 50.5)
    #expect(stats.p95Duration == 95)
    #expect(stats.successRate == 1)
  }

  @Test("logs filter by status and time and come newest first, with a limit")
  func filtering() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("job")
    for i in 0..<10 { try temp.store.record(finished(task, at: Double(i) * 60, duration: 1, i % 3 == 0 ? .failed : .success)) }
    let failed = try temp.store.runs(of: "job", matching: RunFilter(status: .failed))
    #expect(failed.count == 4)
    #expect(failed.map(\.startedAt) == failed.map(\.startedAt).sorted(by: >))
    let window = try temp.store.runs(of: "job", matching: RunFilter(since: TemporaryStore.now.addingTimeInterval(120), until: TemporaryStore.now.addingTimeInterval(300)))
    #expect(window.count == 3)
    #expect(try temp.store.runs(of: "job", matching: RunFilter(limit: 2)).count == 2)
  }

  @Test("one run's detail has its log lines in order")
  func detail() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("job")
    let run = try temp.store.record(
      finished(task, at: 0, duration: 2, .failed),
      lines: [(TemporaryStore.now, .info, "start", nil), (TemporaryStore.now, .error, "bad", #"{"row":3}"#)])
    let detail = try temp.store.run(id: run.id!)
    #expect(detail.taskName == "job")
    #expect(detail.lines.map(\.message) == ["start", "bad"])
    #expect(detail.lines[1].fields == #"{"row":3}"#)
  }

  @Test("prune drops old runs and keeps the newest N per task, never running ones")
  func prune() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let a = try temp.add("a"), b = try temp.add("b")
    for i in 0..<10 {
      try temp.store.record(finished(a, at: Double(i) * 86_400, duration: 1, .success))
      try temp.store.record(finished(b, at: Double(i) * 86_400, duration: 1, .success))
    }
    try temp.store.record(RunRecord(taskId: a.id!, trigger: .schedule, startedAt: TemporaryStore.now.addingTimeInterval(-86_400), status: .running))
    #expect(try temp.store.prune(olderThan: TemporaryStore.now.addingTimeInterval(5 * 86_400), keep: nil) == 10)
    #expect(try temp.store.prune(olderThan: nil, keep: 2) == 6)
    #expect(try temp.store.runs(of: "a", matching: RunFilter(limit: 100)).count == 3)  // 2 kept + the running one
    #expect(try temp.store.runs(of: "b", matching: RunFilter(limit: 100)).count == 2)
  }
}
