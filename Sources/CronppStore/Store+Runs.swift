import Foundation
import GRDB

/// Which runs `logs` shows, newest first.
public struct RunFilter: Sendable {
  public var status: RunStatus?
  public var since: Date?
  public var until: Date?
  public var limit: Int

  public init(status: RunStatus? = nil, since: Date? = nil, until: Date? = nil, limit: Int = 20) {
    (self.status, self.since, self.until, self.limit) = (status, since, until, limit)
  }
}

/// One run with what `logs --run` prints about it.
public struct RunDetail: Sendable, Equatable {
  public var run: RunRecord
  public var taskName: String
  public var lines: [RunLogLine]
}

/// What `show` prints about a task's history.
public struct TaskStatistics: Sendable, Equatable, Codable {
  public var runs: Int
  public var successRate: Double?
  public var averageDuration: Double?
  public var p95Duration: Double?
  public var consecutiveFailures: Int
  public var lastSuccessAt: Date?
  public var lastFailureAt: Date?
}

extension Store {
  /// Records a finished (or skipped) run with its log lines and updates the task's counters,
  /// in one transaction.
  @discardableResult
  public func record(_ run: RunRecord, lines: [(at: Date, level: LogLevel, message: String, fields: String?)] = []) throws(StoreError) -> RunRecord {
    try write { db in
      var run = run
      try Self.insert(&run, in: db)
      guard let runId = run.id else { return run }
      try Self.insertLines(lines, of: runId, in: db)
      try Self.count(run, in: db)
      return run
    }
  }

  /// Records a run as `running` before it starts, so the script can see its id and a crash
  /// leaves a trace that `serve` can mark abandoned.
  public func start(_ run: RunRecord) throws(StoreError) -> RunRecord {
    var run = run
    run.status = .running
    run.finishedAt = nil
    run.duration = nil
    return try write { db in
      try Self.insert(&run, in: db)
      return run
    }
  }

  /// Completes a run recorded by `start`: its outcome, log lines and the task's counters,
  /// in one transaction.
  public func finish(_ run: RunRecord, lines: [(at: Date, level: LogLevel, message: String, fields: String?)]) throws(StoreError) {
    guard let runId = run.id else { return }
    try write { db in
      _ = try Self.update(run, onlyIfRunning: false, in: db)
      try RunLogLine.filter(Column("run_id") == runId).deleteAll(db)
      try Self.insertLines(lines, of: runId, in: db)
      try Self.count(run, in: db)
    }
  }

  public func runs(of name: String, matching filter: RunFilter = RunFilter()) throws(StoreError) -> [RunRecord] {
    let task = try task(named: name)
    return try read { db in
      var request = RunRecord.filter(Column("task_id") == task.id)
      if let status = filter.status { request = request.filter(Column("status") == status) }
      if let since = filter.since { request = request.filter(Column("started_at") >= since.timeIntervalSince1970) }
      if let until = filter.until { request = request.filter(Column("started_at") < until.timeIntervalSince1970) }
      return try request.order(Column("started_at").desc, Column("id").desc).limit(filter.limit).fetchAll(db)
    }
  }

  public func run(id: Int64) throws(StoreError) -> RunDetail {
    let detail = try read { db -> RunDetail? in
      guard let run = try RunRecord.fetchOne(db, key: id),
        let name = try String.fetchOne(db, sql: "SELECT name FROM task WHERE id = ?", arguments: [run.taskId])
      else { return nil }
      let lines = try RunLogLine.filter(Column("run_id") == id).order(Column("seq")).fetchAll(db)
      return RunDetail(run: run, taskName: name, lines: lines)
    }
    guard let detail else { throw StoreError.runNotFound(id) }
    return detail
  }

  /// Counts and durations over the task's whole history; p95 reads one row through the
  /// (task, duration) index instead of sorting in Swift.
  public func statistics(of task: TaskRecord) throws(StoreError) -> TaskStatistics {
    try read { db in
      // Two scans of covering indexes, (task, start) and (task, duration): one query for
      // both read every run's table row for its duration, half of `show` for 100,000 runs.
      let runs = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run WHERE task_id = ?", arguments: [task.id]) ?? 0
      let row = try Row.fetchOne(
        db, sql: "SELECT AVG(duration) AS average, COUNT(*) AS timed FROM run WHERE task_id = ? AND duration IS NOT NULL",
        arguments: [task.id])
      let timed: Int = row?["timed"] ?? 0
      var p95: Double?
      if timed > 0 {
        let offset = max(0, Int((Double(timed) * 0.95).rounded(.up)) - 1)
        p95 = try Double.fetchOne(
          db, sql: "SELECT duration FROM run WHERE task_id = ? AND duration IS NOT NULL ORDER BY duration LIMIT 1 OFFSET ?",
          arguments: [task.id, offset])
      }
      return TaskStatistics(
        runs: runs, successRate: task.successRate, averageDuration: row?["average"], p95Duration: p95,
        consecutiveFailures: task.consecutiveFailures, lastSuccessAt: task.lastSuccessAt, lastFailureAt: task.lastFailureAt)
    }
  }

  /// Deletes finished runs started before `olderThan`, then all but the newest `keep` runs
  /// of each task; running runs are never pruned. Returns how many runs went.
  @discardableResult
  public func prune(olderThan: Date?, keep: Int?) throws(StoreError) -> Int {
    try write { db in
      var deleted = 0
      if let olderThan {
        try db.execute(sql: "DELETE FROM run WHERE status != 'running' AND started_at < ?", arguments: [olderThan.timeIntervalSince1970])
        deleted += db.changesCount
      }
      if let keep {
        try db.execute(
          sql: """
            DELETE FROM run WHERE status != 'running' AND id IN (
              SELECT id FROM (
                SELECT id, ROW_NUMBER() OVER (PARTITION BY task_id ORDER BY started_at DESC, id DESC) AS n FROM run
              ) WHERE n > ?)
            """, arguments: [keep])
        deleted += db.changesCount
      }
      return deleted
    }
  }
}
