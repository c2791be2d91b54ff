@testable import CronppStore
import Foundation
import GRDB
import Testing

struct MigrationTests {
  /// Every migration identifier, oldest first.
  static let versions = Migrations.migrator.migrations

  @Test("each earlier schema version migrates to the latest and keeps its tasks", arguments: versions)
  func fromEveryVersion(version: String) throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-migrate-\(UUID().uuidString).sqlite")
    defer { try? FileManager.default.removeItem(at: url) }
    let queue = try DatabaseQueue(path: url.path)
    try Migrations.migrator.migrate(queue, upTo: version)
    try queue.write { db in
      try db.execute(sql: """
        INSERT INTO task (name, schedule, body, created_at, updated_at) VALUES ('old', '@daily', 'return 1', 0, 0)
        """)
    }
    try queue.close()
    let store = try Store(path: url.path)
    #expect(try store.task(named: "old").schedule == "@daily")
    let applied = try DatabaseQueue(path: url.path).read { db in try Migrations.migrator.appliedIdentifiers(db) }
    #expect(applied == Set(Self.versions))
  }

  @Test("rebuilding the run table for serve keeps every run and its log lines")
  func serveMigrationKeepsRuns() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-migrate-\(UUID().uuidString).sqlite")
    defer { try? FileManager.default.removeItem(at: url) }
    let queue = try DatabaseQueue(path: url.path)
    try Migrations.migrator.migrate(queue, upTo: "v2-due-index")
    try queue.write { db in
      try db.execute(sql: """
        INSERT INTO task (id, name, schedule, body, created_at, updated_at) VALUES (1, 'old', '@daily', 'return 1', 0, 0);
        INSERT INTO run (id, task_id, trigger, started_at, finished_at, status, error) VALUES (7, 1, 'schedule', 10, 11, 'failed', 'boom');
        INSERT INTO run_log (run_id, seq, at, level, message) VALUES (7, 0, 10.5, 'info', 'hello');
        """)
    }
    try queue.close()
    let store = try Store(path: url.path)
    let detail = try store.run(id: 7)
    #expect(detail.run.status == .failed && detail.run.error == "boom" && detail.run.retryAt == nil)
    #expect(detail.lines.map(\.message) == ["hello"])
    // New runs continue after the old ids, and a notification run's trigger is allowed.
    let next = try store.record(RunRecord(taskId: 1, trigger: .notify, startedAt: Date(), finishedAt: Date(), status: .success))
    #expect(next.id == 8)
  }
}
