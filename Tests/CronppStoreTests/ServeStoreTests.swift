@testable import CronppStore
import Foundation
import GRDB
import Testing

/// The transactions serve is made of, with an injected clock: claims recorded with their
/// runs, overlap, retries, auto-disable and abandoned runs.
struct ServeStoreTests {
  static let now = TemporaryStore.now

  /// Every due fire runs once, as `schedule`, and the next fire is five minutes on.
  static func onePerFire(_ task: TaskRecord, _ due: Date, _ through: Date) -> (runs: [(scheduledAt: Date, trigger: RunTrigger)], next: Date?) {
    ([(due, .schedule)], due.addingTimeInterval(300))
  }

  func due(_ temp: TemporaryStore, _ name: String, overlap: OverlapPolicy = .skip) throws -> (TaskRecord, Date) {
    let task = try temp.add(name)
    try temp.store.update(name, action: "edit", actor: "tester") { $0.overlap = overlap }
    let fire = try #require(task.nextRunAt)
    return (try temp.store.task(named: name), fire)
  }

  func runs(_ temp: TemporaryStore, _ name: String) throws -> [RunRecord] {
    try temp.store.runs(of: name, matching: RunFilter(limit: 1000)).sorted { $0.id! < $1.id! }
  }

  @Test("a claimed fire is recorded running in the same transaction, and a second claimer gets nothing")
  func claimRecordsRun() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fire) = try due(temp, "a")
    let other = try Store(path: temp.path)
    let claimed = try temp.store.claimDueFires(at: fire, instance: "one", limit: 10, clock: { fire }, plan: Self.onePerFire)
    let again = try other.claimDueFires(at: fire, instance: "two", limit: 10, clock: { fire }, plan: Self.onePerFire)
    #expect(claimed.started.count == 1 && again.started.isEmpty && again.skipped.isEmpty)
    let run = try #require(claimed.started.first?.run)
    #expect(run.status == .running && run.scheduledAt == fire && run.instanceId == "one" && run.trigger == .schedule)
    #expect(try temp.store.task(named: "a").nextRunAt == fire.addingTimeInterval(300))
    #expect(try runs(temp, "a").map(\.status) == [.running])
  }

  @Test("a fire claimed ahead is recorded running from its scheduled instant; one past the horizon is left alone")
  func claimAhead() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fire) = try due(temp, "a")
    let before = fire.addingTimeInterval(-0.2)
    let early = try temp.store.claimDueFires(at: before, through: fire.addingTimeInterval(-0.01), instance: "one", limit: 10, plan: Self.onePerFire)
    #expect(early.started.isEmpty && early.skipped.isEmpty && early.held.isEmpty)
    #expect(try temp.store.task(named: "a").nextRunAt == fire)
    let claimed = try temp.store.claimDueFires(
      at: before, through: fire.addingTimeInterval(0.05), instance: "one", limit: 10, clock: { before }, plan: Self.onePerFire)
    let run = try #require(claimed.started.first?.run)
    #expect(run.status == .running && run.scheduledAt == fire && run.startedAt == fire)
    #expect(try temp.store.task(named: "a").nextRunAt == fire.addingTimeInterval(300))
  }

  @Test("a task with a run going is not claimed ahead unless it allows overlap: its policy is met when the fire is due")
  func busyTaskNotClaimedAhead() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fireS) = try due(temp, "s")
    let (_, fireA) = try due(temp, "a", overlap: .allow)
    let (_, fireQ) = try due(temp, "q", overlap: .queue)
    let first = max(fireS, fireA, fireQ)
    #expect(try temp.store.claimDueFires(at: first, instance: "one", limit: 10, plan: Self.onePerFire).started.count == 3)
    // Each task's next fire is five minutes on; its first run is still going.
    let next = first.addingTimeInterval(300)
    let ahead = try temp.store.claimDueFires(at: next.addingTimeInterval(-0.2), through: next.addingTimeInterval(0.05), instance: "one", limit: 10, plan: Self.onePerFire)
    #expect(ahead.started.map { $0.fire.task.name } == ["a"] && ahead.skipped.isEmpty && ahead.held.isEmpty)
    #expect(try temp.store.task(named: "s").nextRunAt == fireS.addingTimeInterval(300))
    let due = try temp.store.claimDueFires(at: next, through: next.addingTimeInterval(0.25), instance: "one", limit: 10, plan: Self.onePerFire)
    #expect(due.skipped.map { $0.fire.task.name } == ["s"] && due.held.map(\.task.name) == ["q"])
  }

  @Test("a task with a retry due by the horizon is not claimed ahead, so the retry does not meet a run that has not started")
  func retryDueNotClaimedAhead() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, first) = try due(temp, "r")
    var run = try #require(try temp.store.claimDueFires(at: first, instance: "one", limit: 10, plan: Self.onePerFire).started.first?.run)
    run.status = .failed
    run.finishedAt = first
    // The retry is due 0.1 s before the next fire (five minutes on).
    let next = first.addingTimeInterval(300)
    _ = try temp.store.finishServed([(run, [])], now: first) { _, _ in 299.9 }
    let ahead = try temp.store.claimDueFires(at: next.addingTimeInterval(-0.2), through: next.addingTimeInterval(0.05), instance: "one", limit: 10, plan: Self.onePerFire)
    #expect(ahead.started.isEmpty && ahead.examined == 0)
    let retry = try temp.store.claimDueRetries(at: next.addingTimeInterval(-0.1), instance: "one", limit: 10)
    #expect(retry.started.map(\.run.trigger) == [.retry])
  }

  @Test("looking for due tasks reads no task's history: the overlap and retry checks go through partial indexes")
  func dueTasksQueryPlan() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let plan = try temp.store.read { db in
      try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Store.dueTasksSQL, arguments: ["now": 0, "horizon": 1, "limit": 64]).map { $0["detail"] as String }
    }
    #expect(plan.contains { $0.contains("run_running") } && plan.contains { $0.contains("run_retry_due") }, "\(plan)")
    #expect(!plan.contains { $0.contains("run_by_task") || $0.contains("SCAN run") }, "\(plan)")
  }

  @Test("a late fire is planned up to now, not the horizon: the fire after it is not claimed beside the late run")
  func lateFirePlannedToNow() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, lateFire) = try due(temp, "late")
    let now = lateFire.addingTimeInterval(0.9)
    let horizon = now.addingTimeInterval(0.25)
    var planned: [String: Date] = [:]
    let claimed = try temp.store.claimDueFires(at: now, through: horizon, instance: "one", limit: 10) { task, due, through in
      planned[task.name] = through
      // Every second: the late fire, and the next one if the plan reaches it.
      let fires = [due, due.addingTimeInterval(1)].filter { $0 <= through }
      return (fires.map { ($0, .schedule) }, fires.last!.addingTimeInterval(1))
    }
    #expect(planned["late"] == now)
    #expect(claimed.started.map { $0.run.scheduledAt } == [lateFire] && claimed.skipped.isEmpty)
    #expect(try temp.store.task(named: "late").nextRunAt == lateFire.addingTimeInterval(1))
  }

  @Test("overlap skip records the fire as a skipped run naming the run still going")
  func overlapSkip() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fire) = try due(temp, "a")
    let first = try temp.store.claimDueFires(at: fire, instance: "one", limit: 10, plan: Self.onePerFire)
    let later = fire.addingTimeInterval(300)
    let second = try temp.store.claimDueFires(at: later, instance: "one", limit: 10, plan: Self.onePerFire)
    let busy = try #require(first.started.first?.run.id)
    #expect(second.started.isEmpty && second.skipped.count == 1)
    let skipped = try #require(second.skipped.first?.run)
    #expect(skipped.status == .skipped && skipped.error?.contains("run \(busy) of a was still running") == true)
    #expect(skipped.scheduledAt == later)
  }

  @Test("overlap allow starts a second run beside the first; queue holds the fire")
  func overlapAllowAndQueue() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fireA) = try due(temp, "a", overlap: .allow)
    let (_, fireQ) = try due(temp, "q", overlap: .queue)
    _ = try temp.store.claimDueFires(at: max(fireA, fireQ), instance: "one", limit: 10, plan: Self.onePerFire)
    let later = max(fireA, fireQ).addingTimeInterval(300)
    let second = try temp.store.claimDueFires(at: later, instance: "one", limit: 10, plan: Self.onePerFire)
    #expect(second.started.map { $0.fire.task.name } == ["a"])
    #expect(second.held.map(\.task.name) == ["q"] && second.skipped.isEmpty)
    // The held fire starts only once the running run of q is finished.
    let held = try #require(second.held.first)
    #expect(try temp.store.startHeld(held, at: later, instance: "one").run == nil)
    var running = try #require(try runs(temp, "q").first)
    running.status = .success
    running.finishedAt = later
    _ = try temp.store.finishServed([(running, [])], now: later) { _, _ in nil }
    let started = try temp.store.startHeld(held, at: later, instance: "one")
    #expect(started.run?.status == .running && started.run?.scheduledAt == held.scheduledAt && !started.dropped)
  }

  @Test("a catch-up backlog and the fire after it are held, so they go one after another")
  func backlogHeld() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fire) = try due(temp, "a")
    let claimed = try temp.store.claimDueFires(at: fire, instance: "one", limit: 10) { _, due, _ in
      ([(due.addingTimeInterval(-120), .catchup), (due.addingTimeInterval(-60), .catchup), (due, .schedule)], due.addingTimeInterval(300))
    }
    #expect(claimed.started.map { $0.fire.trigger } == [.catchup])
    #expect(claimed.held.map(\.trigger) == [.catchup, .schedule])
  }

  @Test("fires a busy scheduler reached late meet the overlap policy: under skip, all but the first are recorded skipped")
  func lateFiresSkipped() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fire) = try due(temp, "a")
    let claimed = try temp.store.claimDueFires(at: fire.addingTimeInterval(2), instance: "one", limit: 10) { _, due, _ in
      ([(due, .schedule), (due.addingTimeInterval(1), .schedule), (due.addingTimeInterval(2), .schedule)], due.addingTimeInterval(300))
    }
    #expect(claimed.started.count == 1 && claimed.held.isEmpty)
    #expect(claimed.skipped.map { $0.run.scheduledAt } == [fire.addingTimeInterval(1), fire.addingTimeInterval(2)])
  }

  @Test("a failed run with attempts left gets a retry time, and the retry is claimed once as the next attempt")
  func retryClaimedOnce() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fire) = try due(temp, "a")
    var run = try #require(try temp.store.claimDueFires(at: fire, instance: "one", limit: 10, plan: Self.onePerFire).started.first?.run)
    run.status = .failed
    run.finishedAt = fire.addingTimeInterval(1)
    let effects = try temp.store.finishServed([(run, [])], now: fire.addingTimeInterval(1)) { _, _ in 10 }[0]
    #expect(effects.retryAt == fire.addingTimeInterval(11) && effects.recorded)
    #expect(try temp.store.nextWake() == fire.addingTimeInterval(11))
    // A disabled task's retry waits, and is not what serve wakes for.
    try temp.store.update("a", action: "disable", actor: "tester") { $0.enabled = false }
    #expect(try temp.store.nextWake() == nil)
    try temp.store.update("a", action: "enable", actor: "tester") { $0.enabled = true }
    #expect(try temp.store.claimDueRetries(at: fire.addingTimeInterval(10), instance: "one", limit: 10).started.isEmpty)
    let other = try Store(path: temp.path)
    let retry = try temp.store.claimDueRetries(at: fire.addingTimeInterval(11), instance: "one", limit: 10)
    let twice = try other.claimDueRetries(at: fire.addingTimeInterval(11), instance: "two", limit: 10)
    #expect(twice.started.isEmpty)
    let attempt = try #require(retry.started.first?.run)
    #expect(attempt.trigger == .retry && attempt.attempt == 2 && attempt.scheduledAt == fire)
  }

  @Test("reaching the consecutive-failure limit disables the task, audited, with no retry left pending")
  func autoDisable() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    _ = try temp.add("a")
    try temp.store.update("a", action: "edit", actor: "tester") { $0.autoDisableAfter = 2 }
    var at = try #require(try temp.store.task(named: "a").nextRunAt)
    var last = FinishEffects()
    for _ in 0..<2 {
      var run = try #require(try temp.store.claimDueFires(at: at, instance: "one", limit: 10, plan: Self.onePerFire).started.first?.run)
      run.status = .failed
      run.finishedAt = at
      last = try temp.store.finishServed([(run, [])], now: at) { _, _ in 10 }[0]
      at = at.addingTimeInterval(300)
    }
    #expect(last.autoDisabled && last.retryAt == nil)
    let task = try temp.store.task(named: "a")
    #expect(!task.enabled && task.nextRunAt == nil && task.consecutiveFailures == 2)
    let audit = try #require(try temp.store.auditTrail(of: "a").last)
    #expect(audit.action == "auto-disable" && audit.actor == "cronpp-serve")
    #expect(try runs(temp, "a").allSatisfy { $0.retryAt == nil })
  }

  @Test("a run another instance gave up for abandoned keeps that record when its worker finishes late")
  func lateFinishIgnored() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let (_, fire) = try due(temp, "a")
    var run = try #require(try temp.store.claimDueFires(at: fire, instance: "one", limit: 10, plan: Self.onePerFire).started.first?.run)
    _ = try temp.store.abandonRuns(ids: [run.id!], reason: "abandoned: test", now: fire) { _, _ in nil }
    run.status = .success
    run.finishedAt = fire.addingTimeInterval(5)
    let effects = try temp.store.finishServed([(run, [])], now: fire.addingTimeInterval(5)) { _, _ in nil }[0]
    #expect(!effects.recorded)
    let stored = try runs(temp, "a")
    #expect(stored.map(\.status) == [.abandoned])
    #expect(try temp.store.task(named: "a").failureCount == 1)
  }

  @Test("runs of an instance whose heartbeat went stale are abandoned, counted and retried; live ones are untouched")
  func staleInstances() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    _ = try temp.add("a")
    try temp.store.update("a", action: "edit", actor: "tester") { $0.retries = 1 }
    let fire = try #require(try temp.store.task(named: "a").nextRunAt)
    try temp.store.register(InstanceRecord(id: "dead", host: "h", pid: 1, version: "t", startedAt: fire))
    try temp.store.register(InstanceRecord(id: "live", host: "h", pid: 2, version: "t", startedAt: fire))
    let run = try #require(try temp.store.claimDueFires(at: fire, instance: "dead", limit: 10, plan: Self.onePerFire).started.first?.run)
    let later = fire.addingTimeInterval(40)
    try temp.store.heartbeat("live", at: later)
    let result = try temp.store.abandonStoppedInstances(at: later, staleAfter: 30, except: "me", isGone: { _ in false }) { task, run in
      run.attempt <= task.retries ? 5 : nil
    }
    #expect(result.instances.map(\.id) == ["dead"])
    let abandoned = try #require(result.runs.first)
    #expect(abandoned.run.id == run.id && abandoned.run.status == .abandoned && abandoned.effects.retryAt == later.addingTimeInterval(5))
    #expect(abandoned.run.error?.contains("serve instance dead") == true)
    #expect(try temp.store.liveInstances(at: later, staleAfter: 30).map(\.id) == ["live"])
    #expect(try temp.store.task(named: "a").consecutiveFailures == 1)
    // A dead process on this host is stopped at once, whatever its heartbeat says.
    let gone = try temp.store.abandonStoppedInstances(at: later, staleAfter: 30, except: "me", isGone: { $0.pid == 2 }) { _, _ in nil }
    #expect(gone.instances.map(\.id) == ["live"])
  }

  @Test("@reboot tasks are found whatever their case and spacing; disabled ones are not")
  func rebootTasks() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    _ = try temp.add("boot", schedule: "@reboot")
    _ = try temp.add("off", schedule: "@REBOOT")
    _ = try temp.add("other", schedule: "@daily")
    try temp.store.update("off", action: "disable", actor: "tester") { $0.enabled = false }
    #expect(try temp.store.rebootTasks().map(\.name) == ["boot"])
  }

  @Test("another connection's commit moves data_version; our own does not")
  func dataVersion() throws {
    let temp = try TemporaryStore()
    defer { temp.cleanup() }
    let before = try temp.store.dataVersion()
    _ = try temp.add("mine")
    #expect(try temp.store.dataVersion() == before)
    let other = try Store(path: temp.path)
    _ = try other.create(TaskRecord(name: "theirs", schedule: "@daily", body: "", now: Self.now), actor: "tester", now: Self.now)
    #expect(try temp.store.dataVersion() != before)
  }

  @Test("a pid names the same process only on the same host and in the same pid namespace")
  func sharedProcesses() {
    let at = Self.now
    let me = InstanceRecord(id: "a", host: "h", pid: 1, version: "t", startedAt: at, pidNamespace: "pid:[1]")
    #expect(me.sharesProcesses(with: InstanceRecord(id: "b", host: "h", pid: 1, version: "t", startedAt: at, pidNamespace: "pid:[1]")))
    #expect(!me.sharesProcesses(with: InstanceRecord(id: "c", host: "h", pid: 1, version: "t", startedAt: at, pidNamespace: "pid:[2]")))
    #expect(!me.sharesProcesses(with: InstanceRecord(id: "d", host: "other", pid: 1, version: "t", startedAt: at, pidNamespace: "pid:[1]")))
  }
}
