import Foundation
import GRDB

/// Per-task key-value state (Lua's `kv`): JSON text values, capped per task.
extension Store {
  /// The most state one task may keep, counting keys and values (DESIGN.md section 5).
  public static let stateLimitBytes = 1 << 20

  public enum StateError: Error, Equatable, Sendable {
    case overLimit(task: String, bytes: Int)
  }

  public func state(of task: String, key: String) throws -> String? {
    let id = try self.task(named: task).id
    return try read { db in try String.fetchOne(db, sql: "SELECT value FROM task_state WHERE task_id = ? AND key = ?", arguments: [id, key]) }
  }

  /// Sets (or with `nil`, deletes) a key; refused past the task's limit, leaving state as it was.
  public func setState(of task: String, key: String, value: String?) throws {
    let id = try self.task(named: task).id
    do {
      try database.write { db in
        if let value {
          try db.execute(
            sql: "INSERT INTO task_state (task_id, key, value) VALUES (?, ?, ?) ON CONFLICT (task_id, key) DO UPDATE SET value = excluded.value",
            arguments: [id, key, value])
        } else {
          try db.execute(sql: "DELETE FROM task_state WHERE task_id = ? AND key = ?", arguments: [id, key])
        }
        let used = try Int.fetchOne(
          db, sql: "SELECT COALESCE(SUM(LENGTH(CAST(key AS BLOB)) + LENGTH(CAST(value AS BLOB))), 0) FROM task_state WHERE task_id = ?",
          arguments: [id]) ?? 0
        // Throwing leaves the transaction, so the change rolls back.
        if used > Self.stateLimitBytes { throw StateError.overLimit(task: task, bytes: used) }
      }
    } catch let error as StateError {
      throw error
    } catch {
      throw Self.storeError(error, path: path)
    }
  }
}

/// A running `cronpp serve`, as it registers and heartbeats.
public struct InstanceRecord: Codable, Sendable, Equatable, StoredRecord, PersistableRecord {
  public static let databaseTableName = "instance"

  public var id: String
  public var host: String
  public var pid: Int
  public var version: String
  public var startedAt: Date
  public var heartbeatAt: Date
  /// The process-ID namespace (`pid:[4026531836]` on Linux): two containers may share a
  /// host name, but a pid means the same process only within one namespace.
  public var pidNamespace: String?

  public init(id: String, host: String, pid: Int, version: String, startedAt: Date, pidNamespace: String? = nil) {
    (self.id, self.host, self.pid, self.version, self.startedAt, self.heartbeatAt) = (id, host, pid, version, startedAt, startedAt)
    self.pidNamespace = pidNamespace
  }

  /// Whether `pid` in this instance's record names a process this one can see: same host,
  /// same process-ID namespace.
  public func sharesProcesses(with other: InstanceRecord) -> Bool {
    host == other.host && pidNamespace == other.pidNamespace
  }
}

extension Store {
  public func register(_ instance: InstanceRecord) throws(StoreError) {
    try write { db in try instance.save(db) }
  }

  /// Records that `id` is alive at `now`; false when the instance is not registered.
  @discardableResult
  public func heartbeat(_ id: String, at now: Date) throws(StoreError) -> Bool {
    try write { db in
      try db.execute(sql: "UPDATE instance SET heartbeat_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, id])
      return db.changesCount == 1
    }
  }

  /// Instances whose last heartbeat is newer than `now - staleAfter`.
  public func liveInstances(at now: Date, staleAfter: TimeInterval) throws(StoreError) -> [InstanceRecord] {
    try read { db in
      try InstanceRecord.filter(Column("heartbeat_at") >= now.timeIntervalSince1970 - staleAfter).order(Column("started_at")).fetchAll(db)
    }
  }

  public func unregister(_ id: String) throws(StoreError) {
    try write { db in _ = try InstanceRecord.deleteOne(db, key: id) }
  }
}
