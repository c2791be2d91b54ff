import CronppStore
import Foundation
import GRDB
import Testing

struct TaskStoreTests {
  @Test("a created task reads back with its next fire computed from the schedule")
  func createAndRead() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    try temp.add("cleanup", schedule: "0 * * * *")
    let task = try temp.store.task(named: "cleanup")
    #expect(task.schedule == "0 * * * *")
    #expect(task.enabled && !task.locked && task.overlap == .skip && task.missed == .skip)
    // 1_780_000_000 is 2026-05-28T20:26:40Z; the next whole hour is 21:00.
    #expect(task.nextRunAt == Date(timeIntervalSince1970: 1_780_002_000))
  }

  @Test("a duplicate name is refused and the first task is untouched")
  func duplicate() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let first = try temp.add("report")
    #expect(throws: StoreError.taskExists("report")) { try temp.add("report", schedule: "@daily") }
    #expect(try temp.store.task(named: "report") == first)
  }

  @Test("names must be slugs", arguments: ["", "Has Space", "UPPER", "-dash-first", "x/y", String(repeating: "a", count: 65)])
  func invalidNames(name: String) throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    #expect(throws: StoreError.invalidName(name)) { try temp.add(name) }
    #expect(try temp.store.tasks().isEmpty)
  }

  @Test("updates are audited with the actor and the old and new values; a no-op writes nothing")
  func audit() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    try temp.add("sync")
    try temp.store.update("sync", action: "disable", actor: "alice") { $0.enabled = false }
    try temp.store.update("sync", action: "disable", actor: "alice") { $0.enabled = false }
    let trail = try temp.store.auditTrail(of: "sync")
    #expect(trail.map(\.action) == ["create", "disable"])
    #expect(trail[1].actor == "alice")
    #expect(trail[1].oldValue?.contains("\"enabled\":true") == true)
    #expect(trail[1].newValue?.contains("\"enabled\":false") == true)
    #expect(try temp.store.task(named: "sync").nextRunAt == nil)
  }

  @Test("ls filters by tag, enabled state and failing tasks")
  func filters() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    try temp.add("a", tags: ["billing"])
    try temp.add("b", tags: ["ops", "billing"])
    let c = try temp.add("c")
    try temp.store.update("b", action: "disable", actor: "t") { $0.enabled = false }
    try temp.store.record(RunRecord(taskId: c.id!, trigger: .manual, startedAt: TemporaryStore.now, finishedAt: TemporaryStore.now, status: .failed, error: "boom"))
    #expect(try temp.store.tasks(matching: TaskFilter(tag: "billing")).map(\.name) == ["a", "b"])
    #expect(try temp.store.tasks(matching: TaskFilter(enabled: true)).map(\.name) == ["a", "c"])
    #expect(try temp.store.tasks(matching: TaskFilter(failingOnly: true)).map(\.name) == ["c"])
  }

  @Test("deleting a task takes its runs and log lines with it")
  func deleteCascades() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let task = try temp.add("gone")
    let run = try temp.store.record(
      RunRecord(taskId: task.id!, trigger: .manual, startedAt: TemporaryStore.now, finishedAt: TemporaryStore.now, status: .success),
      lines: [(TemporaryStore.now, .info, "hello", nil)])
    try temp.store.delete("gone", actor: "t")
    #expect(throws: StoreError.taskNotFound("gone")) { try temp.store.task(named: "gone") }
    #expect(throws: StoreError.runNotFound(run.id!)) { try temp.store.run(id: run.id!) }
    let pool = try DatabasePool(path: temp.path)
    #expect(try pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM run_log") } == 0)
  }
}
