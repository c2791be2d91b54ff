import CronppLua
import CronppSchedule
import CronppStore
import Foundation
import Logging

/// The scheduler loop of `cronpp serve`.
///
/// Its priority queue is the store's `task_due` index: one seek gives the earliest fire of
/// any task, so several instances sharing a database always agree on what is due, and no
/// copy of 100,000 tasks sits in memory. The loop sleeps until that fire (or a retry, a
/// heartbeat, the hourly prune); once a second it reads `PRAGMA data_version` to notice
/// other processes' changes, and does nothing else unless something changed.
///
/// Fires are claimed in batches, each claim in the transaction that records the run as
/// `running` (`Store.claimDueFires`), and run on a `WorkerPool`. Claims are made ahead
/// (`ServeConfiguration.claimAhead`), so that when a crowded second comes its fires are
/// already written and starting them touches no database: the loop wakes at the second and
/// hands them to the workers. The loop runs on a thread of ours; `stop()` and `stopNow()`
/// may be called from any thread.
public final class Scheduler: @unchecked Sendable {
  public let configuration: ServeConfiguration
  public let instance: InstanceRecord
  let store: Store
  let runner: TaskRunner
  let logger: Logger
  let pool: WorkerPool

  /// Guards everything below; the loop sleeps on it.
  private let condition = NSCondition()
  private var stopping = false
  private var stoppedNow = false
  private var changed = true
  /// Runs this instance is executing: run id to task id.
  private var running: [Int64: Int64] = [:]
  /// Fires held until their task's run ends, per task, in order (overlap `queue`).
  private var held: [Int64: [Fire]] = [:]
  /// Finished runs waiting to be recorded, and whether a worker is recording them.
  private var unrecorded: [Finished] = []
  private var recording = false
  /// The loop is claiming fires: recording waits, so a crowded second's fires are claimed
  /// before the runs they started are written (one connection serves both).
  private var claiming = false
  /// Runs claimed ahead, waiting for their scheduled instant, earliest first (loop thread
  /// only). They are in `running` already: to the store they are running from that instant.
  private var pending: [(fire: Fire, run: RunRecord)] = []
  /// Parsed schedules and zones by task, read by the loop thread only.
  private var schedules: [String: (schedule: Schedule, zone: TimeZone)] = [:]
  /// The watched folder as first seen: taken when the scheduler is made, before the
  /// command applies the folder, so an edit made while serve starts is not missed.
  private var folder: FolderFingerprint

  public init(store: Store, runner: TaskRunner, configuration: ServeConfiguration, logger: Logger) {
    self.store = store
    self.runner = runner
    self.configuration = configuration
    self.logger = logger
    pool = WorkerPool(size: configuration.workers)
    folder = FolderFingerprint(path: configuration.watchedFolder)
    instance = InstanceRecord(
      id: UUID().uuidString.lowercased(), host: Self.hostName, pid: Int(getpid()), version: configuration.version, startedAt: Date(),
      pidNamespace: Self.pidNamespace)
  }

  /// This process's pid namespace, as `/proc/self/ns/pid` names it (`nil` off Linux).
  static var pidNamespace: String? {
    var buffer = [CChar](repeating: 0, count: 128)
    let count = readlink("/proc/self/ns/pid", &buffer, buffer.count - 1)
    guard count > 0 else { return nil }
    return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  static var hostName: String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  // MARK: The loop

  /// Runs until `stop()`: registers, runs `@reboot` tasks, then fires tasks on time. Returns
  /// after the shutdown (runs finished or abandoned, instance unregistered).
  public func run() throws(StoreError) {
    try store.register(instance)
    logger.info(
      "serve.started",
      metadata: [
        "instance": "\(instance.id)", "pid": .stringConvertible(instance.pid), "workers": .stringConvertible(configuration.workers),
        "db": "\(store.path)", "version": "\(configuration.version)",
      ])
    abandonStoppedInstances(at: Date())
    prune(at: Date())
    startRebootTasks()

    var lastVersion = (try? store.dataVersion()) ?? 0
    let start = Date()
    var nextHeartbeat = start.addingTimeInterval(configuration.heartbeatInterval)
    var nextPrune = start.addingTimeInterval(3600)
    var nextCheck = start.addingTimeInterval(configuration.changeCheckInterval)
    // The earliest task fire or retry in the store, as last read; `stale` until read again.
    var wake: Date? = nil
    var stale = true
    // Every fire due by this instant that could be claimed ahead was: one still unclaimed
    // is a task with a run going, claimed when it is due.
    var claimedThrough = Date.distantPast

    while true {
      condition.lock()
      let (stop, localChange) = (stopping, changed)
      changed = false
      condition.unlock()
      if stop { break }

      var now = Date()
      startPendingRuns(dueBy: now)
      if localChange { stale = true }
      if now >= nextCheck {
        nextCheck = now.addingTimeInterval(configuration.changeCheckInterval)
        if let version = try? store.dataVersion(), version != lastVersion {
          lastVersion = version
          stale = true
        }
        if folder.changed() {
          applyWatchedFolder()
          stale = true
        }
      }
      if now >= nextHeartbeat {
        nextHeartbeat = now.addingTimeInterval(configuration.heartbeatInterval)
        heartbeat(at: now)
        abandonStoppedInstances(at: now)
        stale = true
      }
      if now >= nextPrune {
        nextPrune = now.addingTimeInterval(3600)
        prune(at: now)
      }
      if stale {
        startHeldFires()
        wake = (try? store.nextWake()) ?? nil
        stale = false
      }
      // Claims are writes: made only when something is (nearly) due.
      if let due = wake, due <= now || (due <= now.addingTimeInterval(configuration.claimAhead) && due > claimedThrough) {
        claimedThrough = claimDue()
        wake = (try? store.nextWake()) ?? nil
        now = Date()
      }
      let claimAt = wake.map { $0 > claimedThrough ? $0.addingTimeInterval(-configuration.claimAhead) : $0 }
      let until = [claimAt, pending.first?.run.scheduledAt, nextHeartbeat, nextCheck, nextPrune].compactMap { $0 }.min() ?? nextCheck
      condition.lock()
      if !stopping && !changed && until > now { _ = condition.wait(until: until) }
      condition.unlock()
    }
    shutDown()
  }

  /// Stops claiming; running runs get the grace period.
  public func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    condition.unlock()
  }

  /// Ends the grace period at once (a second signal).
  public func stopNow() {
    condition.lock()
    stopping = true
    stoppedNow = true
    condition.broadcast()
    condition.unlock()
  }

  /// Wakes the loop to look again (a run finished, a held fire may start, a retry was set).
  /// Broadcast: a worker waiting for the loop to finish claiming waits on this condition too.
  private func noteChange() {
    condition.lock()
    changed = true
    condition.broadcast()
    condition.unlock()
  }

  // MARK: Claiming and starting

  /// Claims what is due, and the fires due within `claimAhead`; returns the horizon the
  /// last batch claimed through.
  private func claimDue() -> Date {
    setClaiming(true)
    defer { setClaiming(false) }
    var horizon = Date()
    claimInBatches("claiming fires") { [self] () throws(StoreError) in
      let now = Date()
      horizon = now.addingTimeInterval(configuration.claimAhead)
      return try store.claimDueFires(at: now, through: horizon, instance: instance.id, limit: configuration.claimBatch) { task, due, through in
        plan(task, due: due, now: through)
      }
    }
    claimInBatches("claiming retries") { [self] () throws(StoreError) in
      try store.claimDueRetries(at: Date(), instance: instance.id, limit: configuration.claimBatch)
    }
    return horizon
  }

  private func setClaiming(_ value: Bool) {
    condition.lock()
    claiming = value
    if !value { condition.broadcast() }
    condition.unlock()
  }

  /// Claims and dispatches batch after batch, until one looks at fewer than a batch of due
  /// tasks: the first runs of a crowded second start while the rest are claimed.
  private func claimInBatches(_ activity: String, _ claim: () throws(StoreError) -> ClaimedFires) {
    while !isStopping {
      let claimed: ClaimedFires
      do {
        claimed = try claim()
      } catch {
        logger.error("store.error", metadata: ["error": "\(error.description)", "while": "\(activity)"])
        return
      }
      dispatch(claimed)
      // A long claim (many batches, a lock held by another process) holds no run back.
      startPendingRuns(dueBy: Date())
      if claimed.examined < configuration.claimBatch { return }
    }
  }

  /// The runs a claimed fire makes (FirePlanner), as the store's claim wants them. Each
  /// task's schedule is parsed once, not on every fire.
  private func plan(_ task: TaskRecord, due: Date, now: Date) -> (runs: [(scheduledAt: Date, trigger: RunTrigger)], next: Date?) {
    let key = "\(task.name)\n\(task.schedule)\n\(task.timeZone ?? "")"
    if schedules[key] == nil {
      guard let schedule = try? Schedule(task.schedule, seed: task.name) else { return ([], nil) }
      if schedules.count > 200_000 { schedules = [:] }
      schedules[key] = (schedule, task.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone.current)
    }
    guard let (schedule, zone) = schedules[key] else { return ([], nil) }
    let plan = FirePlanner.plan(schedule, in: zone, due: due, now: now, missed: task.missed)
    return (plan.runs.map { ($0.scheduledAt, $0.trigger) }, plan.next)
  }

  private var isStopping: Bool {
    condition.lock()
    defer { condition.unlock() }
    return stopping
  }

  /// Starts the runs claimed due, keeps those claimed ahead for their instant, and logs the
  /// skipped ones. Workers call this too (a notification run), for runs with no fire time:
  /// only the loop claims ahead, so only the loop thread touches `pending`.
  private func dispatch(_ claimed: ClaimedFires) {
    let now = Date()
    var due: [(fire: Fire, run: RunRecord)] = []
    condition.lock()
    for (_, run) in claimed.started { if let id = run.id { running[id] = run.taskId } }
    condition.unlock()
    for started in claimed.started {
      if let scheduled = started.run.scheduledAt, scheduled > now {
        // Claims come earliest first: the place is nearly always the end.
        let index = pending.lastIndex { ($0.run.scheduledAt ?? now) <= scheduled }.map { $0 + 1 } ?? 0
        pending.insert(started, at: index)
      } else {
        due.append(started)
      }
    }
    start(due)
    for (fire, run) in claimed.skipped {
      logger.info("run.skipped", metadata: Self.fields(fire.task.name, run).merging(["reason": "\(run.error ?? "")"]) { a, _ in a })
    }
    for fire in claimed.held { hold(fire) }
  }

  /// Starts the runs claimed ahead whose instant has come. After a stall (the process was
  /// suspended, the machine slept) they may have been given up for abandoned by another
  /// instance, and perhaps retried: then they do not start.
  private func startPendingRuns(dueBy now: Date) {
    let count = pending.prefix { ($0.run.scheduledAt ?? now) <= now }.count
    guard count > 0 else { return }
    let due = Array(pending.prefix(count))
    pending.removeFirst(count)
    if let first = due.first?.run.scheduledAt, now.timeIntervalSince(first) > configuration.heartbeatInterval, !heartbeat(at: now) {
      condition.lock()
      for (_, run) in due { if let id = run.id { running[id] = nil } }
      condition.unlock()
      return
    }
    start(due)
  }

  private func hold(_ fire: Fire) {
    guard let id = fire.task.id else { return }
    condition.lock()
    let count = held[id, default: []].count
    if count < configuration.maxHeldPerTask { held[id, default: []].append(fire) }
    condition.unlock()
    if count >= configuration.maxHeldPerTask {
      let run = RunRecord(
        taskId: id, trigger: fire.trigger, attempt: fire.attempt, scheduledAt: fire.scheduledAt, startedAt: Date(), finishedAt: Date(),
        status: .skipped, error: "skipped: \(configuration.maxHeldPerTask) fires of \(fire.task.name) were already waiting", instanceId: instance.id)
      if let recorded = try? store.record(run) {
        logger.warning("run.skipped", metadata: Self.fields(fire.task.name, recorded).merging(["reason": "\(run.error ?? "")"]) { a, _ in a })
      }
    }
  }

  /// Starts held fires whose task has no run going any more, oldest first.
  private func startHeldFires() {
    condition.lock()
    let (waiting, busy) = (held, Set(running.values))
    condition.unlock()
    for (taskId, fires) in waiting where !busy.contains(taskId) {
      guard let fire = fires.first else { continue }
      guard let (run, dropped) = try? store.startHeld(fire, at: Date(), instance: instance.id) else { continue }
      if run != nil || dropped {
        condition.lock()
        held[taskId]?.removeFirst()
        if held[taskId]?.isEmpty == true { held[taskId] = nil }
        condition.unlock()
      }
      if let run { dispatch(ClaimedFires(started: [(fire, run)])) }
    }
  }

  private func startRebootTasks() {
    let tasks = (try? store.rebootTasks()) ?? []
    for task in tasks {
      if let claimed = try? store.startUnclaimed(Fire(task: task, scheduledAt: nil, trigger: .reboot), at: Date(), instance: instance.id) {
        dispatch(claimed)
      }
    }
  }

  /// Hands recorded runs to the workers, all of them before the first log line: a run
  /// starts when it is handed over, which is its `started_at` (written when it finishes).
  private func start(_ runs: [(fire: Fire, run: RunRecord)]) {
    guard !runs.isEmpty else { return }
    let started = runs.map { fire, run in
      var run = run
      run.startedAt = Date()
      return (fire: fire, run: run)
    }
    pool.submit(started.map { fire, run in { [self] in execute(fire, run) } })
    for (fire, run) in started {
      var fields = Self.fields(fire.task.name, run)
      if let scheduled = run.scheduledAt {
        fields["scheduled"] = "\(ServeLogHandler.timestamp(scheduled))"
        if let lateness = Self.lateness(of: run) { fields["lateness_ms"] = .stringConvertible(lateness) }
      }
      logger.info("run.started", metadata: fields)
    }
  }

  // MARK: Running

  /// A run whose script ended, on its way to the store.
  struct Finished {
    let fire: Fire
    let run: RunRecord
    let lines: [(at: Date, level: LogLevel, message: String, fields: String?)]
    /// How long it waited for a worker after it was claimed.
    let queued: TimeInterval
  }

  private func execute(_ fire: Fire, _ run: RunRecord) {
    let begun = Date()
    var lua = TaskRunner.luaTask(for: fire.task)
    if let config = fire.config { lua.config = config }
    let info = LuaRunInfo(id: run.id, attempt: run.attempt, trigger: run.trigger.rawValue, scheduledAt: run.scheduledAt)
    let (logger, name, runId) = (self.logger, fire.task.name, run.id ?? 0)
    let outcome = runner.execute(lua, as: fire.task, info: info) { line in
      var fields: Logger.Metadata = ["task": "\(name)", "run": .stringConvertible(runId), "message": "\(line.message)"]
      if let extra = line.fields { fields["fields"] = .stringConvertible(RawJSON(extra)) }
      logger.log(level: Self.level(line.level), "task.log", metadata: fields)
    }
    var finished = TaskRunner.completed(run, with: outcome, at: Date())
    // The run's duration is the script's: the wait for a worker is `queued`.
    finished.duration = finished.finishedAt.map { $0.timeIntervalSince(begun) }
    record(Finished(fire: fire, run: finished, lines: TaskRunner.storedLines(outcome), queued: begun.timeIntervalSince(run.startedAt)))
  }

  /// Group commit: the worker that finds no recording going records every run finished
  /// meanwhile in one transaction, then the runs that finished while it wrote, and so on;
  /// the others go back to work at once.
  private func record(_ finished: Finished) {
    condition.lock()
    unrecorded.append(finished)
    if recording {
      condition.unlock()
      return
    }
    recording = true
    condition.unlock()
    while true {
      condition.lock()
      while claiming { condition.wait() }
      let batch = unrecorded
      unrecorded = []
      if batch.isEmpty { recording = false }
      condition.unlock()
      if batch.isEmpty { return }
      let effects: [FinishEffects]
      do {
        effects = try store.finishServed(batch.map { ($0.run, $0.lines) }, now: Date(), retryDelay: Self.retryDelay(for:after:))
      } catch {
        logger.error("store.error", metadata: ["error": "\(error.description)", "while": "recording \(batch.count) finished runs"])
        for item in batch { finishedLocally(item.run.id ?? 0) }
        continue
      }
      for (item, effect) in zip(batch, effects) {
        if effect.recorded { report(item.run, of: item.fire.task.name, effects: effect, queued: item.queued) }
        finishedLocally(item.run.id ?? 0, changesWake: effect.retryAt != nil || effect.autoDisabled)
      }
    }
  }

  /// Forgets a run; wakes the loop when a fire of its task is held, or the run changed
  /// what is due (a retry set, the task disabled). Other finishes cost the loop nothing.
  private func finishedLocally(_ runId: Int64, changesWake: Bool = true) {
    condition.lock()
    let taskId = running.removeValue(forKey: runId)
    let holding = taskId.map { held[$0] != nil } ?? false
    condition.unlock()
    if changesWake || holding { noteChange() }
  }

  /// The wait before the attempt after `run`'s, or `nil` when the task has no retry left.
  static func retryDelay(for task: TaskRecord, after run: RunRecord) -> TimeInterval? {
    retryDelay(for: task, after: run.attempt)
  }

  static func retryDelay(for task: TaskRecord, after attempt: Int) -> TimeInterval? {
    guard attempt <= task.retries else { return nil }
    return Backoff.delay(beforeAttempt: attempt + 1, base: task.backoffBaseSeconds, cap: task.backoffCapSeconds, random: Double.random(in: 0..<1))
  }

  /// Logs what a finished (or abandoned) run set in motion, and notifies when it failed
  /// for good.
  private func report(_ run: RunRecord, of name: String, effects: FinishEffects, queued: TimeInterval? = nil) {
    var fields = Self.fields(name, run)
    fields["status"] = "\(run.status.rawValue)"
    if let duration = run.duration { fields["duration_ms"] = .stringConvertible(Self.milliseconds(duration)) }
    if let lateness = Self.lateness(of: run) { fields["lateness_ms"] = .stringConvertible(lateness) }
    if let queued { fields["queued_ms"] = .stringConvertible(Self.milliseconds(queued)) }
    if let error = run.error { fields["error"] = "\(error.split(separator: "\n").first.map(String.init) ?? error)" }
    switch run.status {
    case .success: logger.info("run.finished", metadata: fields)
    case .abandoned: logger.warning("run.abandoned", metadata: fields)
    default: logger.warning("run.finished", metadata: fields)
    }
    if let retryAt = effects.retryAt {
      logger.info(
        "run.retry_scheduled",
        metadata: Self.fields(name, run).merging(["at": "\(ServeLogHandler.timestamp(retryAt))", "next_attempt": .stringConvertible(run.attempt + 1)]) { a, _ in a })
    }
    if effects.autoDisabled, let task = effects.task {
      logger.warning(
        "task.auto_disabled",
        metadata: ["task": "\(name)", "consecutive_failures": .stringConvertible(task.consecutiveFailures), "limit": .stringConvertible(task.autoDisableAfter ?? 0)])
    }
    if run.status.isFailure, effects.retryAt == nil, run.trigger != .notify, let target = effects.task?.onFailure {
      notify(target, of: FailureNotice(task: name, run: run))
    }
  }

  private func notify(_ target: String, of notice: FailureNotice) {
    let fields: Logger.Metadata = ["task": "\(notice.task)", "run": .stringConvertible(notice.run ?? 0), "target": "\(target)"]
    if FailureNotice.isURL(target) {
      let (logger, timeout) = (self.logger, configuration.notifyTimeout)
      Task {
        switch await notice.post(to: target, timeout: timeout) {
        case .success(let code): logger.info("notify.sent", metadata: fields.merging(["http_status": .stringConvertible(code)]) { a, _ in a })
        case .failure(let error): logger.error("notify.failed", metadata: fields.merging(["error": "\(error.message)"]) { a, _ in a })
        }
      }
      return
    }
    do {
      let task = try store.task(named: target)
      let fire = Fire(task: task, scheduledAt: nil, trigger: .notify, config: notice.json)
      let claimed = try store.startUnclaimed(fire, at: Date(), instance: instance.id)
      if let run = claimed.started.first?.run.id {
        logger.info("notify.sent", metadata: fields.merging(["notify_run": .stringConvertible(run)]) { a, _ in a })
      } else if claimed.held.isEmpty {
        logger.error("notify.failed", metadata: fields.merging(["error": "\(target) was still running (overlap skip)"]) { a, _ in a })
      }
      dispatch(claimed)
    } catch {
      logger.error("notify.failed", metadata: fields.merging(["error": "\(error.description)"]) { a, _ in a })
    }
  }

  // MARK: Housekeeping

  /// Records that this instance is alive; false when another instance had taken it for
  /// stopped (it stalled past the limit) and abandoned its runs, and it registered again.
  @discardableResult
  private func heartbeat(at now: Date) -> Bool {
    do {
      if try !store.heartbeat(instance.id, at: now) {
        try store.register(instance)
        logger.warning("instance.stale", metadata: ["instance": "\(instance.id)", "note": "this instance was taken for stopped; registered again"])
        return false
      }
    } catch {
      logger.error("store.error", metadata: ["error": "\(error.description)", "while": "heartbeat"])
    }
    return true
  }

  private func abandonStoppedInstances(at now: Date) {
    let me = instance
    do {
      let result = try store.abandonStoppedInstances(
        at: now, staleAfter: configuration.staleAfter, except: instance.id,
        isGone: { other in me.sharesProcesses(with: other) && (other.pid == me.pid || !Self.processExists(other.pid)) },
        retryDelay: Self.retryDelay(for:after:))
      for stopped in result.instances {
        logger.warning(
          "instance.stale",
          metadata: ["instance": "\(stopped.id)", "host": "\(stopped.host)", "pid": .stringConvertible(stopped.pid),
            "last_heartbeat": "\(ServeLogHandler.timestamp(stopped.heartbeatAt))"])
      }
      for abandoned in result.runs { report(abandoned.run, of: abandoned.taskName, effects: abandoned.effects) }
    } catch {
      logger.error("store.error", metadata: ["error": "\(error.description)", "while": "checking instances"])
    }
  }

  static func processExists(_ pid: Int) -> Bool {
    guard pid > 0 else { return false }
    return kill(pid_t(pid), 0) == 0 || errno == EPERM
  }

  private func prune(at now: Date) {
    guard let retention = configuration.retention else { return }
    do {
      let count = try store.prune(olderThan: now.addingTimeInterval(-retention), keep: nil)
      if count > 0 { logger.info("history.pruned", metadata: ["runs": .stringConvertible(count), "older_than_days": .stringConvertible(retention / 86_400)]) }
    } catch {
      logger.error("store.error", metadata: ["error": "\(error.description)", "while": "pruning history"])
    }
  }

  /// Applies a tasks folder (`--tasks`) and logs what changed.
  public func apply(_ path: String) throws(TasksFolderError) {
    let plan = try TasksFolderSync.apply(path, to: store)
    logger.info(
      "tasks.applied",
      metadata: ["folder": "\(path)", "created": .stringConvertible(plan.creates.count), "updated": .stringConvertible(plan.updates.count),
        "removed": .stringConvertible(plan.removals.count), "unchanged": .stringConvertible(plan.unchanged.count)])
  }

  /// `--watch`: a bad file is logged, and the tasks stay as they were.
  private func applyWatchedFolder() {
    guard let path = configuration.watchedFolder else { return }
    do {
      try apply(path)
    } catch {
      logger.error("tasks.apply_failed", metadata: ["folder": "\(path)", "error": "\(error.message)"])
    }
  }

  // MARK: Shutdown

  private func shutDown() {
    condition.lock()
    let dropped = held.values.reduce(0) { $0 + $1.count }
    held = [:]
    let inFlight = running.count
    condition.unlock()
    logger.info(
      "serve.stopping",
      metadata: ["running": .stringConvertible(inFlight), "grace_s": .stringConvertible(configuration.grace), "held_dropped": .stringConvertible(dropped)])
    startPendingRunsBeforeStopping()
    let deadline = Date().addingTimeInterval(configuration.grace)
    while Date() < deadline {
      if pool.waitUntilIdle(before: min(deadline, Date().addingTimeInterval(0.1))) { break }
      condition.lock()
      let now = stoppedNow
      condition.unlock()
      if now { break }
    }
    condition.lock()
    let leftover = Array(running.keys)
    let immediate = stoppedNow
    condition.unlock()
    if !leftover.isEmpty {
      let reason = immediate
        ? "abandoned: serve was stopped at once by a second signal"
        : "abandoned: serve stopped and the run outlived the \(secondsText(configuration.grace)) grace period"
      do {
        let abandoned = try store.abandonRuns(ids: leftover, reason: reason, now: Date(), retryDelay: Self.retryDelay(for:after:))
        for run in abandoned { report(run.run, of: run.taskName, effects: run.effects) }
      } catch {
        logger.error("store.error", metadata: ["error": "\(error.description)", "while": "abandoning runs"])
      }
    }
    try? store.unregister(instance.id)
    pool.close()
    logger.info("serve.stopped", metadata: ["abandoned": .stringConvertible(leftover.count)])
  }

  /// Runs claimed ahead start at their instant (at most `claimAhead` away) like any run
  /// the signal found; a second signal leaves them to be abandoned with the rest.
  private func startPendingRunsBeforeStopping() {
    while let next = pending.first?.run.scheduledAt {
      condition.lock()
      if !stoppedNow && next > Date() { _ = condition.wait(until: next) }
      let now = stoppedNow
      condition.unlock()
      if now { return }
      startPendingRuns(dueBy: Date())
    }
  }

  // MARK: Log fields

  /// A script's `log.*` level as serve logs the line.
  static func level(_ level: LuaLogLine.Level) -> Logger.Level {
    switch level {
    case .debug: .debug
    case .info: .info
    case .warn: .warning
    case .error: .error
    }
  }

  static func fields(_ task: String, _ run: RunRecord) -> Logger.Metadata {
    ["task": "\(task)", "run": .stringConvertible(run.id ?? 0), "trigger": "\(run.trigger.rawValue)", "attempt": .stringConvertible(run.attempt)]
  }

  static func milliseconds(_ seconds: TimeInterval) -> Double { (seconds * 10_000).rounded() / 10 }

  /// Start minus scheduled, for runs of the schedule (a retry or catch-up is late by design).
  static func lateness(of run: RunRecord) -> Double? {
    guard run.trigger == .schedule, let scheduled = run.scheduledAt else { return nil }
    return milliseconds(run.startedAt.timeIntervalSince(scheduled))
  }
}

/// Notices edits in a watched tasks folder: the names, sizes and modification times of
/// its `*.lua` files, compared with the last look.
struct FolderFingerprint {
  let path: String?
  private var last: [String]

  init(path: String?) {
    self.path = path
    last = path.map(Self.snapshot) ?? []
  }

  mutating func changed() -> Bool {
    guard let path else { return false }
    let now = Self.snapshot(path)
    defer { last = now }
    return now != last
  }

  static func snapshot(_ path: String) -> [String] {
    let manager = FileManager.default
    let names = (try? manager.contentsOfDirectory(atPath: path)) ?? []
    return names.filter { $0.hasSuffix(".lua") }.sorted().map { name in
      let attributes = try? manager.attributesOfItem(atPath: path + "/" + name)
      let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
      let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
      return "\(name) \(size) \(modified)"
    }
  }
}
