import Foundation
import GRDB

/// The statements every run goes through, written out and cached. serve records a thousand
/// runs a second; GRDB's Codable persistence (encoding each record, converting each column
/// name to snake_case) cost more than SQLite's own work, so the hot path binds values
/// directly to prepared statements.
extension Store {
  static let runColumns = [
    "task_id", "trigger", "attempt", "scheduled_at", "started_at", "finished_at", "duration", "status", "result", "error", "traceback",
    "instance_id", "retry_at",
  ]
  static let insertRunSQL =
    "INSERT INTO run (\(runColumns.joined(separator: ", "))) VALUES (\(runColumns.map { _ in "?" }.joined(separator: ", ")))"
  static let updateRunSQL = "UPDATE run SET \(runColumns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"
  static let updateRunningRunSQL = updateRunSQL + " AND status = 'running'"

  static func values(of run: RunRecord) -> [(any DatabaseValueConvertible)?] {
    [
      run.taskId, run.trigger.rawValue, run.attempt, run.scheduledAt?.timeIntervalSince1970, run.startedAt.timeIntervalSince1970,
      run.finishedAt?.timeIntervalSince1970, run.duration, run.status.rawValue, run.result, run.error, run.traceback, run.instanceId,
      run.retryAt?.timeIntervalSince1970,
    ]
  }

  /// Inserts `run` and sets its id.
  static func insert(_ run: inout RunRecord, in db: Database) throws {
    let statement = try db.cachedStatement(sql: insertRunSQL)
    try statement.execute(arguments: StatementArguments(values(of: run)))
    run.id = db.lastInsertedRowID
  }

  /// Writes every column of `run`; with `onlyIfRunning`, only while the stored run is still
  /// `running`. True when the row changed.
  static func update(_ run: RunRecord, onlyIfRunning: Bool, in db: Database) throws -> Bool {
    guard let id = run.id else { return false }
    let statement = try db.cachedStatement(sql: onlyIfRunning ? updateRunningRunSQL : updateRunSQL)
    try statement.execute(arguments: StatementArguments(values(of: run) + [id]))
    return db.changesCount == 1
  }

  /// Appends a run's log lines, numbered from 0.
  static func insertLines(_ lines: [(at: Date, level: LogLevel, message: String, fields: String?)], of runId: Int64, in db: Database) throws {
    guard !lines.isEmpty else { return }
    let statement = try db.cachedStatement(sql: "INSERT INTO run_log (run_id, seq, at, level, message, fields) VALUES (?, ?, ?, ?, ?, ?)")
    for (seq, line) in lines.enumerated() {
      try statement.execute(arguments: [runId, seq, line.at.timeIntervalSince1970, line.level.rawValue, line.message, line.fields])
    }
  }

  static func task(id: Int64, in db: Database) throws -> TaskRecord? {
    try TaskRecord.fetchOne(try db.cachedStatement(sql: "SELECT * FROM task WHERE id = ?"), arguments: [id])
  }

  /// Folds a finished run into its task's counters with one UPDATE.
  static func count(_ run: RunRecord, in db: Database) throws {
    guard run.status != .running else { return }
    try db.cachedStatement(sql: countSQL).execute(arguments: countArguments(run))
  }

  /// Counts a finished run, like `count`, and returns its task as it now is (a failed run's
  /// retry, auto-disable and notification depend on it). Decoding the task costs more than
  /// the UPDATE, so runs that did not fail are counted without it.
  static func countedTask(_ run: RunRecord, in db: Database) throws -> TaskRecord? {
    guard run.status != .running else { return try task(id: run.taskId, in: db) }
    return try TaskRecord.fetchOne(db.cachedStatement(sql: countSQL + " RETURNING *"), arguments: countArguments(run))
  }

  private static let countSQL = """
    UPDATE task SET
      last_run_at = MAX(COALESCE(last_run_at, :at), :at),
      last_status = :status,
      success_count = success_count + :success,
      failure_count = failure_count + :failure,
      consecutive_failures = CASE WHEN :success THEN 0 WHEN :failure THEN consecutive_failures + 1 ELSE consecutive_failures END,
      last_success_at = CASE WHEN :success THEN :at ELSE last_success_at END,
      last_failure_at = CASE WHEN :failure THEN :at ELSE last_failure_at END
    WHERE id = :id
    """

  private static func countArguments(_ run: RunRecord) -> StatementArguments {
    let success = run.status == .success
    let failure = run.status.isFailure
    return [
      "at": (run.finishedAt ?? run.startedAt).timeIntervalSince1970, "status": run.status.rawValue, "success": success ? 1 : 0,
      "failure": failure ? 1 : 0, "id": run.taskId,
    ]
  }
}
