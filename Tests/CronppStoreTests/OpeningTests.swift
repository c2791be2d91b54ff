import CronppStore
import Foundation
import GRDB
import Testing

struct OpeningTests {
  func scratchFile(_ contents: Data?) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-open-\(UUID().uuidString).sqlite")
    if let contents { try contents.write(to: url) }
    return url
  }

  @Test("an empty path creates the database with every table")
  func freshFile() throws {
    let url = try scratchFile(nil)
    defer { try? FileManager.default.removeItem(at: url) }
    _ = try Store(path: url.path)
    let tables = try DatabaseQueue(path: url.path).read { db in
      try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name")
    }
    #expect(tables == ["audit", "instance", "run", "run_log", "task", "task_state"])
  }

  @Test("opening twice migrates once and keeps the data")
  func reopen() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    try temp.add("kept")
    let again = try Store(path: temp.path)
    #expect(try again.task(named: "kept").name == "kept")
  }

  @Test("a file that is not SQLite is refused and left byte for byte as it was")
  func notSQLite() throws {
    let bytes = Data("this is a shopping list, not a database\n".utf8)
    let url = try scratchFile(bytes)
    defer { try? FileManager.default.removeItem(at: url) }
    #expect(throws: StoreError.notADatabase(path: url.path)) { try Store(path: url.path) }
    #expect(try Data(contentsOf: url) == bytes)
  }

  @Test("a schema from a newer cronpp is refused without changes")
  func newerSchema() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    try DatabaseQueue(path: temp.path).write { db in
      try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')")
    }
    let before = try Data(contentsOf: URL(fileURLWithPath: temp.path))
    #expect(throws: StoreError.newerSchema(path: temp.path)) { try Store(path: temp.path) }
    #expect(try Data(contentsOf: URL(fileURLWithPath: temp.path)) == before)
  }

  @Test("a write lock held past the busy timeout is reported as busy")
  func busy() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let holder = try DatabaseQueue(path: temp.path)
    try holder.inDatabase { db in
      try db.execute(sql: "BEGIN IMMEDIATE")
      let impatient = try Store(path: temp.path, busyTimeout: 0.2)
      #expect(throws: StoreError.busy(path: temp.path)) { try impatient.update("x", action: "edit", actor: "t") { _ in } }
      try db.execute(sql: "ROLLBACK")
    }
  }
}
