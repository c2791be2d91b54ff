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
}
