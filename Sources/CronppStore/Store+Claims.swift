import Foundation
import GRDB

/// Claiming fires (DESIGN.md section 6): several `serve` instances may share one database,
/// and each fire must run exactly once. A fire is taken by one conditional UPDATE that
/// moves the task's `next_run_at` from the fire being claimed to the one after it; only the
/// instance whose UPDATE changed the row runs the fire. The same statement carries over to
/// PostgreSQL unchanged.
extension Store {
  /// Enabled tasks whose next fire is at or before `now`, earliest first.
  public func dueTasks(at now: Date, limit: Int = 1000) throws(StoreError) -> [TaskRecord] {
    try read { db in try Self.dueTasks(at: now, through: now, limit: limit, in: db) }
  }

  /// Claims `task`'s fire at `fire` by moving its next fire to `next` (`nil` when the
  /// schedule has no further fire). True for exactly one caller across every process on
  /// the database; false when another claimed it first, or the task changed meanwhile
  /// (disabled, rescheduled).
  public func claim(_ task: TaskRecord, fire: Date, next: Date?) throws(StoreError) -> Bool {
    guard let id = task.id else { return false }
    return try write { db in try Self.claim(taskId: id, fire: fire, next: next, in: db) }
  }

  /// Enabled tasks with a fire at or before `horizon`, earliest first. A fire still to come
  /// (after `now`) is left out while its task has a run going or a retry due by the horizon,
  /// and does not allow overlap: whether it runs or is skipped is decided when it is due,
  /// not ahead. Both look-ups go through partial indexes (`run_running`, `run_retry_due`),
  /// never through a task's history.
  static func dueTasks(at now: Date, through horizon: Date, limit: Int, in db: Database) throws -> [TaskRecord] {
    try TaskRecord.fetchAll(
      db.cachedStatement(sql: dueTasksSQL),
      arguments: ["now": now.timeIntervalSince1970, "horizon": horizon.timeIntervalSince1970, "limit": limit])
  }

  static let dueTasksSQL = """
    SELECT * FROM task WHERE enabled = 1 AND next_run_at IS NOT NULL AND next_run_at <= :horizon
      AND (next_run_at <= :now OR overlap = 'allow'
        OR (NOT EXISTS (SELECT 1 FROM run WHERE run.task_id = task.id AND run.status = 'running')
          AND task.id NOT IN (SELECT task_id FROM run WHERE retry_at <= :horizon)))
    ORDER BY next_run_at LIMIT :limit
    """

  static func claim(taskId: Int64, fire: Date, next: Date?, in db: Database) throws -> Bool {
    try db.cachedStatement(sql: "UPDATE task SET next_run_at = ? WHERE id = ? AND enabled = 1 AND next_run_at = ?")
      .execute(arguments: [next?.timeIntervalSince1970, taskId, fire.timeIntervalSince1970])
    return db.changesCount == 1
  }
}
