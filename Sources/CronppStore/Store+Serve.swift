import Foundation
import GRDB

/// A fire to run: which task, for which scheduled instant, and why.
public struct Fire: Sendable, Equatable {
  public var task: TaskRecord
  public var scheduledAt: Date?
  public var trigger: RunTrigger
  public var attempt: Int
  /// Replaces the task's config for this run (a notification task gets the failure).
  public var config: String?

  public init(task: TaskRecord, scheduledAt: Date?, trigger: RunTrigger, attempt: Int = 1, config: String? = nil) {
    (self.task, self.scheduledAt, self.trigger, self.attempt, self.config) = (task, scheduledAt, trigger, attempt, config)
  }
}

/// What became of fires an instance claimed: runs recorded as `running` for its workers,
/// fires recorded as `skipped` (overlap), and fires it holds until the task's running run
/// ends (overlap `queue`, and catch-up runs after the first).
public struct ClaimedFires: Sendable {
  public var started: [(fire: Fire, run: RunRecord)] = []
  public var skipped: [(fire: Fire, run: RunRecord)] = []
  public var held: [Fire] = []
  /// How many due tasks or retries the claim looked at, whether or not it won them: a
  /// claim that looked at fewer than its limit has left nothing due behind.
  public var examined = 0

  public init(started: [(fire: Fire, run: RunRecord)] = []) { self.started = started }
}

/// What finishing a run set in motion.
public struct FinishEffects: Sendable, Equatable {
  /// When its retry is due, if it failed with attempts left.
  public var retryAt: Date?
  /// The task was disabled because it reached its consecutive-failure limit.
  public var autoDisabled = false
  /// The task after a failed run was counted (`nil` after a run that did not fail).
  public var task: TaskRecord?
  /// False when the run had already been given up for abandoned, and nothing was written.
  public var recorded = false
}

/// A run that an instance left `running` when it stopped without finishing it.
public struct AbandonedRun: Sendable {
  public var run: RunRecord
  public var taskName: String
  public var effects: FinishEffects
}

/// The transactions `cronpp serve` is made of. Every one takes `now` from its caller, so
/// the policies are tested with any clock. Claiming a fire and recording its run happen in
/// one transaction: a crash can never leave a claimed fire without a record, which is what
/// lets a later instance mark it abandoned (and retry it) instead of losing it.
extension Store {
  public static let serveActor = "cronpp-serve"

  /// Claims the fires of up to `limit` tasks due by `horizon` (DESIGN.md section 6), and
  /// records each as it should start: `plan` gives the runs a claimed fire makes (the
  /// missed-run policy), up to the instant it is given, and the task's next fire after it.
  /// A fire already due is planned up to `now`: the fire after it, even within the horizon,
  /// is claimed when due, so it meets the overlap policy then and not beside a late run. A
  /// run due by `now` starts at the instant it was claimed (`clock`); one claimed ahead is
  /// recorded `running` from its scheduled instant, and the caller starts it then.
  public func claimDueFires(
    at now: Date, through horizon: Date? = nil, instance: String, limit: Int, clock: () -> Date = Date.init,
    plan: (TaskRecord, _ due: Date, _ through: Date) -> (runs: [(scheduledAt: Date, trigger: RunTrigger)], next: Date?)
  ) throws(StoreError) -> ClaimedFires {
    let horizon = max(now, horizon ?? now)
    return try write { db in
      var claimed = ClaimedFires()
      let due = try Self.dueTasks(at: now, through: horizon, limit: limit, in: db)
      claimed.examined = due.count
      for var task in due {
        guard let fire = task.nextRunAt, let id = task.id else { continue }
        let (runs, next) = plan(task, fire, fire <= now ? now : horizon)
        guard try Self.claim(taskId: id, fire: fire, next: next, in: db) else { continue }
        task.nextRunAt = next
        for (index, run) in runs.enumerated() {
          let fire = Fire(task: task, scheduledAt: run.scheduledAt, trigger: run.trigger)
          // A catch-up backlog, and the fire that follows it, go one run after another
          // whatever the overlap policy; several fires a busy scheduler reached late meet
          // the overlap policy (under skip they are recorded skipped, not piled up).
          if index > 0 && runs[0].trigger == .catchup {
            claimed.held.append(fire)
          } else {
            try Self.start(fire, at: max(clock(), run.scheduledAt), instance: instance, in: db, into: &claimed)
          }
        }
      }
      return claimed
    }
  }

  /// Claims retries that are due: each failed run whose `retry_at` has come is taken by one
  /// conditional UPDATE clearing it, and its next attempt recorded.
  public func claimDueRetries(at now: Date, instance: String, limit: Int) throws(StoreError) -> ClaimedFires {
    try write { db in
      var claimed = ClaimedFires()
      let due = try RunRecord.fetchAll(
        db, sql: """
          SELECT run.* FROM run JOIN task ON task.id = run.task_id
          WHERE run.retry_at IS NOT NULL AND run.retry_at <= ? AND task.enabled = 1 ORDER BY run.retry_at LIMIT ?
          """, arguments: [now.timeIntervalSince1970, limit])
      claimed.examined = due.count
      for failed in due {
        guard let retryAt = failed.retryAt else { continue }
        try db.execute(sql: "UPDATE run SET retry_at = NULL WHERE id = ? AND retry_at = ?", arguments: [failed.id, retryAt.timeIntervalSince1970])
        guard db.changesCount == 1, let task = try Self.task(id: failed.taskId, in: db) else { continue }
        let fire = Fire(task: task, scheduledAt: failed.scheduledAt, trigger: .retry, attempt: failed.attempt + 1)
        try Self.start(fire, at: now, instance: instance, in: db, into: &claimed)
      }
      return claimed
    }
  }

  /// Starts a fire this instance held, unless the task still has a run going (then `nil`,
  /// and the caller keeps holding it). A task deleted or disabled meanwhile drops the fire.
  public func startHeld(_ fire: Fire, at now: Date, instance: String) throws(StoreError) -> (run: RunRecord?, dropped: Bool) {
    try write { db in
      guard let id = fire.task.id, let task = try Self.task(id: id, in: db), task.enabled else { return (nil, true) }
      if try Self.runningRun(of: id, in: db) != nil { return (nil, false) }
      var run = RunRecord(
        taskId: id, trigger: fire.trigger, attempt: fire.attempt, scheduledAt: fire.scheduledAt, startedAt: now, status: .running,
        instanceId: instance)
      try Self.insert(&run, in: db)
      return (run, false)
    }
  }

  /// Records a fire as it should start, given the task's overlap policy: `running`, or
  /// `skipped` while another run goes on, or held (`queue`).
  static func start(_ fire: Fire, at now: Date, instance: String, in db: Database, into claimed: inout ClaimedFires) throws {
    guard let id = fire.task.id else { return }
    if fire.task.overlap != .allow, let busy = try runningRun(of: id, in: db) {
      if fire.task.overlap == .queue {
        claimed.held.append(fire)
        return
      }
      var run = RunRecord(
        taskId: id, trigger: fire.trigger, attempt: fire.attempt, scheduledAt: fire.scheduledAt, startedAt: now, finishedAt: now,
        status: .skipped, error: "skipped: run \(busy) of \(fire.task.name) was still running (overlap skip)", instanceId: instance)
      try insert(&run, in: db)
      try count(run, in: db)
      claimed.skipped.append((fire, run))
      return
    }
    var run = RunRecord(
      taskId: id, trigger: fire.trigger, attempt: fire.attempt, scheduledAt: fire.scheduledAt, startedAt: now, status: .running,
      instanceId: instance)
    try insert(&run, in: db)
    claimed.started.append((fire, run))
  }

  static func runningRun(of taskId: Int64, in db: Database) throws -> Int64? {
    try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM run WHERE task_id = ? AND status = 'running' LIMIT 1"), arguments: [taskId])
  }

  /// The wait before a failed run's next attempt, or `nil` when the task has none left
  /// (serve's backoff, passed in so the store stays free of policy and randomness).
  public typealias RetryDelay = (TaskRecord, RunRecord) -> TimeInterval?

  /// Completes runs serve started (its workers hand them over in batches, so a thousand
  /// runs a second cost a few commits): each one's outcome and lines, the task's counters,
  /// the retry and auto-disable, all in one transaction.
  public func finishServed(
    _ runs: [(run: RunRecord, lines: [(at: Date, level: LogLevel, message: String, fields: String?)])], now: Date, retryDelay: RetryDelay
  ) throws(StoreError) -> [FinishEffects] {
    try write { db in
      try runs.map { finished in
        var run = finished.run
        let effects = try Self.close(&run, now: now, in: db, retryDelay: retryDelay)
        if effects.recorded, let id = run.id { try Self.insertLines(finished.lines, of: id, in: db) }
        return effects
      }
    }
  }

  /// Stores the end of a `running` run: its outcome; when it failed with attempts left, when
  /// its retry is due; the task's counters; and auto-disable (which cancels pending
  /// retries). A run that is no longer `running` (another instance gave it up for
  /// abandoned while this one stalled) keeps its record, and nothing is counted twice.
  static func close(_ run: inout RunRecord, now: Date, in db: Database, retryDelay: RetryDelay) throws -> FinishEffects {
    var effects = FinishEffects()
    guard try update(run, onlyIfRunning: true, in: db) else { return effects }
    effects.recorded = true
    guard run.status.isFailure else {
      try count(run, in: db)
      return effects
    }
    guard let counted = try countedTask(run, in: db) else { return effects }
    if counted.enabled, let delay = retryDelay(counted, run) {
      run.retryAt = now.addingTimeInterval(delay)
      try db.cachedStatement(sql: "UPDATE run SET retry_at = ? WHERE id = ?").execute(arguments: [run.retryAt?.timeIntervalSince1970, run.id])
    }
    effects.task = try disableIfFailing(counted, now: now, in: db)
    effects.autoDisabled = counted.enabled && effects.task?.enabled == false
    if effects.autoDisabled { run.retryAt = nil }
    effects.retryAt = run.retryAt
    return effects
  }

  /// Disables a task that reached its consecutive-failure limit, audited as
  /// `auto-disable` by `cronpp-serve`; its pending retries go with it.
  static func disableIfFailing(_ counted: TaskRecord?, now: Date, in db: Database) throws -> TaskRecord? {
    guard let old = counted, old.enabled, let limit = old.autoDisableAfter, old.consecutiveFailures >= limit else { return counted }
    var task = old
    task.enabled = false
    task.nextRunAt = nil
    task.updatedAt = now
    try task.update(db)
    try db.execute(sql: "UPDATE run SET retry_at = NULL WHERE task_id = ? AND retry_at IS NOT NULL", arguments: [task.id])
    try audit(db, action: "auto-disable", task: task.name, old: old, new: task, actor: serveActor, at: now)
    return task
  }

  /// Marks `running` runs of instances that stopped as `abandoned`, counts them as
  /// failures (so they retry when the task has retries left, and count toward auto-disable),
  /// and forgets the instances. An instance stopped when its last heartbeat is older than
  /// `staleAfter`, or when `isGone` says so (a dead process on this host); `except` (the
  /// caller) never is.
  public func abandonStoppedInstances(
    at now: Date, staleAfter: TimeInterval, except: String, isGone: (InstanceRecord) -> Bool,
    retryDelay: RetryDelay
  ) throws(StoreError) -> (instances: [InstanceRecord], runs: [AbandonedRun]) {
    try write { db in
      let stopped = try InstanceRecord.fetchAll(db).filter { instance in
        instance.id != except && (instance.heartbeatAt.timeIntervalSince1970 < now.timeIntervalSince1970 - staleAfter || isGone(instance))
      }
      var abandoned: [AbandonedRun] = []
      for instance in stopped {
        let runs = try RunRecord.filter(Column("instance_id") == instance.id && Column("status") == RunStatus.running.rawValue).fetchAll(db)
        let reason = "abandoned: serve instance \(instance.id) (\(instance.host), pid \(instance.pid)) stopped while the run was going"
        abandoned += try Self.abandon(runs, reason: reason, now: now, in: db, retryDelay: retryDelay)
        _ = try InstanceRecord.deleteOne(db, key: instance.id)
      }
      return (stopped, abandoned)
    }
  }

  /// Marks this instance's own runs abandoned (a shutdown whose grace ran out).
  public func abandonRuns(ids: [Int64], reason: String, now: Date, retryDelay: RetryDelay) throws(StoreError) -> [AbandonedRun] {
    try write { db in
      let runs = try RunRecord.filter(ids.contains(Column("id")) && Column("status") == RunStatus.running.rawValue).fetchAll(db)
      return try Self.abandon(runs, reason: reason, now: now, in: db, retryDelay: retryDelay)
    }
  }

  static func abandon(_ runs: [RunRecord], reason: String, now: Date, in db: Database, retryDelay: RetryDelay) throws -> [AbandonedRun] {
    try runs.map { run in
      var run = run
      run.status = .abandoned
      // A run claimed ahead may be given up before its start: it never ran.
      run.finishedAt = max(now, run.startedAt)
      run.duration = max(0, now.timeIntervalSince(run.startedAt))
      run.error = reason
      let effects = try close(&run, now: now, in: db, retryDelay: retryDelay)
      return AbandonedRun(run: run, taskName: effects.task?.name ?? "#\(run.taskId)", effects: effects)
    }
  }

  /// When serve next has something to do: the earliest task fire or retry.
  public func nextWake() throws(StoreError) -> Date? {
    try read { db in
      let fire = try Double.fetchOne(db, sql: "SELECT MIN(next_run_at) FROM task WHERE enabled = 1 AND next_run_at IS NOT NULL")
      let retry = try Double.fetchOne(
        db, sql: "SELECT MIN(run.retry_at) FROM run JOIN task ON task.id = run.task_id WHERE run.retry_at IS NOT NULL AND task.enabled = 1")
      return [fire, retry].compactMap { $0 }.min().map(Date.init(timeIntervalSince1970:))
    }
  }

  /// SQLite's count of commits by other connections (`PRAGMA data_version`): when it moves,
  /// another process changed the store, and serve looks again at what is due.
  public func dataVersion() throws(StoreError) -> Int {
    try read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
  }

  /// Enabled `@reboot` tasks, which serve runs once at start.
  public func rebootTasks() throws(StoreError) -> [TaskRecord] {
    try read { db in
      try TaskRecord.fetchAll(db, sql: "SELECT * FROM task WHERE enabled = 1 AND lower(trim(schedule)) = '@reboot' ORDER BY name")
    }
  }

  /// Records a run of `task` as `running` now (reboot and notification runs, which no
  /// schedule claims).
  public func startUnclaimed(_ fire: Fire, at now: Date, instance: String) throws(StoreError) -> ClaimedFires {
    try write { db in
      var claimed = ClaimedFires()
      try Self.start(fire, at: now, instance: instance, in: db, into: &claimed)
      return claimed
    }
  }

  /// Runs that are `running` now, oldest first, with their task's name.
  public func runningRuns() throws(StoreError) -> [(run: RunRecord, taskName: String)] {
    try read { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT run.*, task.name AS task_name FROM run JOIN task ON task.id = run.task_id WHERE run.status = 'running' ORDER BY run.started_at, run.id")
      return try rows.map { row in (try RunRecord(row: row), row["task_name"] as String) }
    }
  }

  /// The next `limit` fires across enabled tasks, earliest first.
  public func upcomingFires(limit: Int) throws(StoreError) -> [TaskRecord] {
    try read { db in
      try TaskRecord.fetchAll(
        db, sql: "SELECT * FROM task WHERE enabled = 1 AND next_run_at IS NOT NULL ORDER BY next_run_at, name LIMIT ?", arguments: [limit])
    }
  }
}
