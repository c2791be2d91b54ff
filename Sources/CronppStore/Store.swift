import Foundation
import GRDB

/// The cronpp database: tasks, runs and their output, per-task state, serve instances and
/// the audit log, in one SQLite file (WAL, busy timeout, foreign keys on).
public final class Store: Sendable {
  public let path: String
  let database: DatabaseQueue

  /// Opens (creating if needed) and migrates the database at `path`.
  /// A non-SQLite file, a schema from a newer cronpp, or a lock held past `busyTimeout`
  /// fail with a `StoreError` and leave the file as it was.
  ///
  /// One connection, put in WAL mode only when it is not already: opening an up-to-date
  /// database writes nothing, so a reader never waits for another process's write.
  public init(path: String, busyTimeout: TimeInterval = 5) throws(StoreError) {
    self.path = path
    var configuration = Configuration()
    configuration.busyMode = .timeout(busyTimeout)
    configuration.foreignKeysEnabled = true
    configuration.prepareDatabase { db in
      if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
        try db.execute(sql: "PRAGMA journal_mode = WAL")
      }
      try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }
    do {
      let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      database = try DatabaseQueue(path: path, configuration: configuration)
      let migrator = Migrations.migrator
      let (superseded, complete) = try database.read { db in (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db)) }
      if superseded { throw StoreError.newerSchema(path: path) }
      if !complete { try migrator.migrate(database) }
    } catch {
      throw Self.storeError(error, path: path)
    }
  }

  /// The path used when neither `--db` nor `CRONPP_DB` is given:
  /// `$XDG_STATE_HOME/cronpp/cronpp.sqlite`, else `~/.local/state/cronpp/cronpp.sqlite`.
  public static func defaultPath(environment: [String: String]) -> String {
    let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
    return state + "/cronpp/cronpp.sqlite"
  }

  /// Maps SQLite's failures to the ones a user can act on.
  static func storeError(_ error: Error, path: String) -> StoreError {
    if let error = error as? StoreError { return error }
    if let error = error as? DatabaseError {
      switch error.resultCode {
      case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notADatabase(path: path)
      case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(path: path)
      default: return .unreadable(path: path, reason: error.message ?? "\(error.resultCode)")
      }
    }
    return .unreadable(path: path, reason: "\(error.localizedDescription)")
  }

  func read<T>(_ work: (Database) throws -> T) throws(StoreError) -> T {
    do { return try database.read(work) } catch { throw Self.storeError(error, path: path) }
  }

  func write<T>(_ work: (Database) throws -> T) throws(StoreError) -> T {
    do { return try database.write(work) } catch { throw Self.storeError(error, path: path) }
  }
}
