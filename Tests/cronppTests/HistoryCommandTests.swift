import CronppStore
import Foundation
import Testing

/// A temporary database the tests fill through `Store` (tasks, runs with their log lines)
/// and the built binary reads through `--db`.
struct HistoryDatabase {
  let directory: URL
  let store: Store
  var path: String { store.path }

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-history-\(UUID().uuidString)")
    store = try Store(path: directory.appendingPathComponent("cronpp.sqlite").path)
  }

  func cleanup() { try? FileManager.default.removeItem(at: directory) }

  /// Runs `cronpp ARGUMENTS --db PATH` in a zone far from the tasks', so a time printed in
  /// the host's zone instead of the task's would show.
  func cronpp(_ arguments: [String]) throws -> BinaryRunner.Output {
    var environment = ProcessInfo.processInfo.environment
    environment["TZ"] = "Pacific/Chatham"
    return try BinaryRunner.cronpp().run(arguments + ["--db", path], environment: environment)
  }

  @discardableResult
  func task(
    _ name: String, schedule: String = "*/5 * * * *", zone: String? = "UTC", tags: [String] = [], enabled: Bool = true,
    nextRunAt: Date? = nil, body: String = "return 1"
  ) throws -> TaskRecord {
    var task = TaskRecord(name: name, schedule: schedule, body: body, now: Self.created)
    (task.timeZone, task.tags, task.enabled) = (zone, tags, enabled)
    let created = try store.create(task, actor: "tester", now: Self.created)
    guard let nextRunAt else { return created }
    return try store.update(name, action: "test", actor: "tester", now: Self.created) { $0.nextRunAt = nextRunAt }
  }

  @discardableResult
  func run(
    of task: TaskRecord, _ status: RunStatus, at started: Date, taking duration: Double? = 1, trigger: RunTrigger = .schedule,
    attempt: Int = 1, result: String? = nil, error: String? = nil, traceback: String? = nil,
    lines: [(at: Date, level: LogLevel, message: String, fields: String?)] = []
  ) throws -> RunRecord {
    let run = RunRecord(
      taskId: task.id ?? 0, trigger: trigger, attempt: attempt, scheduledAt: trigger == .schedule ? started : nil, startedAt: started,
      finishedAt: duration.map { started.addingTimeInterval($0) }, status: status, result: result, error: error, traceback: traceback,
      instanceId: "host-1:4242")
    return try store.record(run, lines: lines)
  }

  static let created = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

  /// An instant given in RFC 3339, for fixed dates in tests.
  static func instant(_ text: String) throws -> Date {
    let formatter = ISO8601DateFormatter()
    return try #require(formatter.date(from: text))
  }
}

/// Parses `--json` output.
private func json(_ text: String) throws -> Any {
  try JSONSerialization.jsonObject(with: Data(text.utf8))
}

@Suite("cronpp ls, show, logs and prune")
struct HistoryCommandTests {
  // MARK: ls

  @Test("ls prints a row per task: state, schedule in words, last run, result, next run and success rate")
  func lsTable() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let now = Date()
    try db.task("backup", schedule: "0 3 * * *", zone: "Europe/Berlin", nextRunAt: now.addingTimeInterval(2 * 3600 + 1800 + 20))
    try db.task("cleanup", enabled: false)
    let reports = try db.task("reports", schedule: "@every 90m", tags: ["ops"], nextRunAt: now.addingTimeInterval(-60))
    for hours in [6.0, 5, 4] { try db.run(of: reports, .success, at: now.addingTimeInterval(-hours * 3600)) }
    try db.run(of: reports, .failed, at: now.addingTimeInterval(-(3 * 3600 + 1800 + 20)), error: "boom")

    let output = try db.cronpp(["ls"])
    #expect(output.status == 0)
    #expect(output.stderr == "")
    #expect(output.stdout == """
      state     name     schedule                      last run  result  next run   ok
      enabled   backup   Every day at 03:00, in Euro…  -         -       in 2h       -
      disabled  cleanup  Every 5 minutes, in UTC       -         -       -           -
      enabled   reports  Every 1 hour and 30 minutes…  3h ago    failed  due       75%

      """)
  }

  @Test("a table fits 80 columns: long names and schedules end in an ellipsis")
  func lsFitsTheTerminal() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let name = "a-task-name-that-goes-on-and-on-well-past-what-a-column-can-hold"
    try db.task(name, schedule: "*/10 9-17 1,15 JAN-MAR MON-FRI", zone: "America/Argentina/Buenos_Aires")
    let output = try db.cronpp(["ls"])
    #expect(output.status == 0)
    let lines = output.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    for line in lines { #expect(line.count <= 80, "\(line.count) columns: \(line)") }
    #expect(lines[1].hasPrefix("enabled  a-task-name-that-…  Every 10 minutes, …  -  "))
  }

  static let filterTasks: [(name: String, tags: [String], enabled: Bool, failing: Bool)] = [
    ("alpha", ["ops"], true, true),
    ("bravo", ["ops"], false, false),
    ("charlie", [], true, false),
    ("delta", ["nightly"], true, true),
  ]

  @Test("ls selects tasks by tag, state and failing", arguments: [
    ([], ["alpha", "bravo", "charlie", "delta"]),
    (["--tag", "ops"], ["alpha", "bravo"]),
    (["--enabled"], ["alpha", "charlie", "delta"]),
    (["--disabled"], ["bravo"]),
    (["--failing"], ["alpha", "delta"]),
    (["--tag", "ops", "--failing"], ["alpha"]),
    (["--tag", "nowhere"], []),
  ])
  func lsFilters(arguments: [String], names: [String]) throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    for spec in Self.filterTasks {
      let task = try db.task(spec.name, tags: spec.tags, enabled: spec.enabled)
      try db.run(of: task, spec.failing ? .failed : .success, at: HistoryDatabase.created.addingTimeInterval(60))
    }
    let output = try db.cronpp(["ls", "--json"] + arguments)
    #expect(output.status == 0)
    let tasks = try #require(try json(output.stdout) as? [[String: Any]])
    #expect(tasks.compactMap { $0["name"] as? String } == names)
  }

  @Test("ls --json prints each task's fields and its success rate")
  func lsJSON() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let task = try db.task("backup", schedule: "0 3 * * *", zone: "Europe/Berlin", tags: ["ops", "nightly"])
    let start = try HistoryDatabase.instant("2026-01-02T02:00:00Z")
    for (i, status) in [RunStatus.success, .success, .failed, .success, .skipped].enumerated() {
      try db.run(of: task, status, at: start.addingTimeInterval(Double(i) * 86_400))
    }
    let output = try db.cronpp(["ls", "--json"])
    #expect(output.status == 0)
    let tasks = try #require(try json(output.stdout) as? [[String: Any]])
    let first = try #require(tasks.first)
    #expect(tasks.count == 1)
    #expect(first["name"] as? String == "backup")
    #expect(first["schedule"] as? String == "0 3 * * *")
    #expect(first["timeZone"] as? String == "Europe/Berlin")
    #expect(first["tags"] as? [String] == ["ops", "nightly"])
    #expect(first["successCount"] as? Int == 3)
    #expect(first["failureCount"] as? Int == 1)
    #expect(first["successRate"] as? Double == 0.75)
    #expect(first["lastStatus"] as? String == "skipped")
    #expect(first["lastRunAt"] as? String == "2026-01-06T02:00:01+00:00")
    #expect(first["lastFailureAt"] as? String == "2026-01-04T02:00:01+00:00")
  }

  @Test("ls with no tasks prints nothing on stdout, and [] with --json")
  func lsEmpty() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let table = try db.cronpp(["ls"])
    #expect(table.status == 0)
    #expect(table.stdout == "")
    #expect(table.stderr == "cronpp: no tasks yet; create one with 'cronpp add'\n")
    let filtered = try db.cronpp(["ls", "--failing"])
    #expect(filtered.stderr == "cronpp: no task matches\n")
    let json = try db.cronpp(["ls", "--json"])
    #expect(json.status == 0)
    #expect(json.stdout == "[\n\n]\n")
  }

  // MARK: show

  /// A task with 12 runs taking 1...12 s, the last one failed.
  private func twelveRuns(in db: HistoryDatabase) throws -> (TaskRecord, [RunRecord]) {
    let task = try db.task("backup", schedule: "0 3 * * *", zone: "Europe/Berlin", tags: ["ops"])
    let start = try HistoryDatabase.instant("2026-01-02T02:00:00Z")
    var runs: [RunRecord] = []
    for i in 0..<12 {
      runs.append(try db.run(
        of: task, i == 11 ? .failed : .success, at: start.addingTimeInterval(Double(i) * 86_400), taking: Double(i + 1),
        result: i == 11 ? nil : "{\"rows\":\(i)}", error: i == 11 ? "backup.lua:3: disk full" : nil))
    }
    return (try db.store.task(named: "backup"), runs)
  }

  @Test("show prints every field, statistics and the last 10 runs in the task's zone")
  func showTable() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    _ = try twelveRuns(in: db)
    let output = try db.cronpp(["show", "backup"])
    #expect(output.status == 0)
    #expect(output.stderr == "")
    let text = output.stdout
    #expect(text.hasPrefix("""
      name          backup
      description   -
      schedule      0 3 * * *
                    Every day at 03:00, in Europe/Berlin time
      time zone     Europe/Berlin
      state         enabled
      locked        no
      managed       no
      source        -
      timeout       default
      retries       0
      backoff       10s doubling to 10m
      overlap       skip
      missed runs   skip
      auto-disable  never
      config        {}
      capabilities  -
      tags          ops
      next run      2026-01-01T03:00:00+01:00 (
      """))
    #expect(text.contains("\ncreated       2026-01-01T01:00:00+01:00 ("))
    #expect(text.contains("""
      statistics
        runs                  12 kept; 11 succeeded and 1 failed in all
        success rate          92% (11 of 12)
        average duration      6.5s
        p95 duration          12.0s
        consecutive failures  1
        last run              failed at 2026-01-13T03:00:12+01:00 (
      """))
    #expect(text.contains("  last failure          2026-01-13T03:00:12+01:00 ("))
    #expect(text.contains("  last success          2026-01-12T03:00:11+01:00 ("))
    #expect(text.contains("""
      recent runs
        id  started                    trigger   status   duration  detail
        12  2026-01-13T03:00:00+01:00  schedule  failed      12.0s  backup.lua:3: dis…
        11  2026-01-12T03:00:00+01:00  schedule  success     11.0s  {"rows":10}
      """))
    #expect(text.contains("   3  2026-01-04T03:00:00+01:00  schedule  success      3.0s  {\"rows\":2}\n\nbody\n  return 1\n"))
    #expect(!text.contains("2026-01-03T03:00:00+01:00"))
    for line in text.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
  }

  @Test("show --json gives the task, its statistics and its newest 10 runs")
  func showJSON() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let (_, runs) = try twelveRuns(in: db)
    let output = try db.cronpp(["show", "backup", "--json"])
    #expect(output.status == 0)
    let object = try #require(try json(output.stdout) as? [String: Any])
    #expect(object["name"] as? String == "backup")
    #expect(object["body"] as? String == "return 1")
    #expect(object["scheduleDescription"] as? String == "Every day at 03:00, in Europe/Berlin time")
    #expect(object["successRate"] as? Double == 11.0 / 12.0)
    let statistics = try #require(object["statistics"] as? [String: Any])
    #expect(statistics["runs"] as? Int == 12)
    #expect(statistics["averageDuration"] as? Double == 6.5)
    #expect(statistics["p95Duration"] as? Double == 12)
    #expect(statistics["consecutiveFailures"] as? Int == 1)
    #expect(statistics["lastFailureAt"] as? String == "2026-01-13T02:00:12+00:00")
    #expect(statistics["lastSuccessAt"] as? String == "2026-01-12T02:00:11+00:00")
    let recent = try #require(object["recentRuns"] as? [[String: Any]])
    #expect(recent.compactMap { ($0["id"] as? Int).map(Int64.init) } == runs.reversed().prefix(10).compactMap(\.id))
    #expect(recent.first?["error"] as? String == "backup.lua:3: disk full")
    #expect(recent.first?["startedAt"] as? String == "2026-01-13T02:00:00+00:00")
  }

  @Test("show of a task that never ran says so")
  func showWithoutRuns() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    try db.task("fresh", enabled: false)
    let output = try db.cronpp(["show", "fresh"])
    #expect(output.status == 0)
    #expect(output.stdout.contains("\n  runs                  0 kept; 0 succeeded and 0 failed in all\n  success rate          -\n"))
    #expect(output.stdout.contains("\nnext run      - (disabled)\n"))
    #expect(output.stdout.contains("\nrecent runs: none\n"))
  }

  // MARK: logs

  /// Six runs an hour apart from 2026-03-01T10:00Z: success, failed, success, timeout,
  /// success, skipped.
  private func sixRuns(in db: HistoryDatabase) throws -> [RunRecord] {
    let task = try db.task("sync", schedule: "0 * * * *", zone: "Europe/Berlin")
    let start = try HistoryDatabase.instant("2026-03-01T10:00:00Z")
    let statuses: [RunStatus] = [.success, .failed, .success, .timeout, .success, .skipped]
    return try statuses.enumerated().map { i, status in
      try db.run(
        of: task, status, at: start.addingTimeInterval(Double(i) * 3600), taking: status == .skipped ? nil : 0.25 * Double(i + 1),
        result: status == .success ? "\(i)" : nil, error: status == .failed ? "sync.lua:9: HTTP 503" : status == .timeout ? "timed out after 60s" : nil)
    }
  }

  @Test("logs lists runs newest first with start, trigger, status, duration and detail")
  func logsTable() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    _ = try sixRuns(in: db)
    let output = try db.cronpp(["logs", "sync"])
    #expect(output.status == 0)
    #expect(output.stdout == """
      id  started                    trigger   status   duration  detail
       6  2026-03-01T16:00:00+01:00  schedule  skipped         -
       5  2026-03-01T15:00:00+01:00  schedule  success      1.3s  4
       4  2026-03-01T14:00:00+01:00  schedule  timeout      1.0s  timed out after 60s
       3  2026-03-01T13:00:00+01:00  schedule  success     750ms  2
       2  2026-03-01T12:00:00+01:00  schedule  failed      500ms  sync.lua:9: HTTP 503
       1  2026-03-01T11:00:00+01:00  schedule  success     250ms  0

      """)
  }

  @Test("logs selects runs by status, start time and count", arguments: [
    (["--status", "success"], [5, 3, 1]),
    (["--status", "failed"], [2]),
    (["--limit", "2"], [6, 5]),
    (["--status", "success", "--limit", "1"], [5]),
    (["--since", "2026-03-01T13:00:00Z"], [6, 5, 4]),
    (["--since", "2026-03-01 14:00"], [6, 5, 4]),
    (["--until", "2026-03-01T12:00:00+01:00"], [1]),
    (["--since", "2026-03-01 12:00", "--until", "2026-03-01 14:00"], [3, 2]),
    (["--since", "2026-03-01T13:00:00Z", "--status", "success"], [5]),
    (["--since", "2026-03-02"], []),
  ])
  func logsFilters(arguments: [String], ids: [Int]) throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    _ = try sixRuns(in: db)
    let output = try db.cronpp(["logs", "sync", "--json"] + arguments)
    #expect(output.status == 0)
    let runs = try #require(try json(output.stdout) as? [[String: Any]])
    #expect(runs.compactMap { $0["id"] as? Int } == ids)
    #expect(runs.allSatisfy { $0["task"] as? String == "sync" })
  }

  @Test("--since and --until take durations ago")
  func logsDurationsAgo() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let task = try db.task("sync")
    let now = Date()
    for hours in [50.0, 26, 3, 1] { try db.run(of: task, .success, at: now.addingTimeInterval(-hours * 3600)) }
    let recent = try db.cronpp(["logs", "sync", "--since", "2h", "--json"])
    #expect((try json(recent.stdout) as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [4])
    let day = try db.cronpp(["logs", "sync", "--since", "2d", "--until", "1d", "--json"])
    #expect((try json(day.stdout) as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [2])
    let old = try db.cronpp(["logs", "sync", "--until", "1d12h", "--json"])
    #expect((try json(old.stdout) as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1])
  }

  @Test("logs --run prints one run: timings, status, result, error, traceback and its output")
  func logsRun() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let added = try db.cronpp(["add", "fetch", "--schedule", "*/15 * * * *", "--tz", "America/New_York", "--lua", "return 1"])
    #expect(added.status == 0)
    let task = try db.store.task(named: "fetch")
    let start = try HistoryDatabase.instant("2026-07-04T16:00:00Z")
    let run = try db.run(
      of: task, .failed, at: start, taking: 2.5, trigger: .retry, attempt: 2, error: "fetch.lua:7: connection refused",
      traceback: "stack traceback:\n\t[C]: in function 'error'\n\tfetch.lua:7: in main chunk",
      lines: [
        (start.addingTimeInterval(0.125), .info, "connecting", "{\"host\":\"example.org\"}"),
        (start.addingTimeInterval(2.4), .error, "giving up", nil),
      ])
    let id = try #require(run.id)
    let output = try db.cronpp(["logs", "--run", "\(id)"])
    #expect(output.status == 0)
    #expect(output.stdout == """
      run        \(id) of fetch
      status     failed
      trigger    retry (attempt 2)
      scheduled  -
      started    2026-07-04T12:00:00-04:00
      finished   2026-07-04T12:00:02-04:00
      duration   2.5s
      instance   host-1:4242
      result     -
      error      fetch.lua:7: connection refused

      traceback
        stack traceback:
        \t[C]: in function 'error'
        \tfetch.lua:7: in main chunk

      output (2 lines)
        12:00:00.125  info   connecting  {"host":"example.org"}
        12:00:02.400  error  giving up

      """)
    let named = try db.cronpp(["logs", "fetch", "--run", "\(id)"])
    #expect(named.stdout == output.stdout)
  }

  @Test("logs --run --json includes the output lines")
  func logsRunJSON() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let task = try db.task("fetch")
    let start = try HistoryDatabase.instant("2026-07-04T16:00:00Z")
    let run = try db.run(
      of: task, .success, at: start, taking: 0.5, result: "{\"count\":3}",
      lines: [(start, .info, "one", nil), (start.addingTimeInterval(0.2), .warn, "two", "{\"n\":2}")])
    let output = try db.cronpp(["logs", "--run", "\(try #require(run.id))", "--json"])
    #expect(output.status == 0)
    let object = try #require(try json(output.stdout) as? [String: Any])
    #expect(object["task"] as? String == "fetch")
    #expect(object["status"] as? String == "success")
    #expect(object["trigger"] as? String == "schedule")
    #expect(object["result"] as? String == "{\"count\":3}")
    #expect(object["duration"] as? Double == 0.5)
    #expect(object["startedAt"] as? String == "2026-07-04T16:00:00+00:00")
    let lines = try #require(object["lines"] as? [[String: Any]])
    #expect(lines.compactMap { $0["message"] as? String } == ["one", "two"])
    #expect(lines.compactMap { $0["level"] as? String } == ["info", "warn"])
    #expect(lines.last?["fields"] as? String == "{\"n\":2}")
  }

  // MARK: prune

  @Test("prune deletes runs older than 90 days by default, never a running one")
  func pruneDefault() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let task = try db.task("sync")
    let now = Date()
    try db.run(of: task, .success, at: now.addingTimeInterval(-100 * 86_400))
    try db.run(of: task, .failed, at: now.addingTimeInterval(-95 * 86_400))
    try db.run(of: task, .running, at: now.addingTimeInterval(-99 * 86_400), taking: nil)
    try db.run(of: task, .success, at: now.addingTimeInterval(-80 * 86_400))
    let output = try db.cronpp(["prune"])
    #expect(output.status == 0)
    #expect(output.stdout == "deleted 2 runs\n")
    #expect(try db.store.runs(of: "sync").map(\.status) == [.success, .running])
    let again = try db.cronpp(["prune", "--json"])
    #expect(again.stdout == "{\"deleted\":0}\n")
  }

  @Test("prune --keep keeps each task's newest runs, and --older-than takes any duration")
  func pruneKeep() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let now = Date()
    for name in ["a", "b"] {
      let task = try db.task(name)
      for hours in [30.0, 20, 10, 2, 1] { try db.run(of: task, .success, at: now.addingTimeInterval(-hours * 3600)) }
    }
    let kept = try db.cronpp(["prune", "--keep", "3", "--json"])
    #expect(kept.status == 0)
    #expect(kept.stdout == "{\"deleted\":4}\n")
    let aged = try db.cronpp(["prune", "--older-than", "5h"])
    #expect(aged.stdout == "deleted 2 runs\n")
    let one = try db.cronpp(["prune", "--older-than", "90m"])
    #expect(one.stdout == "deleted 2 runs\n")
    let all = try db.cronpp(["prune", "--keep", "0", "--older-than", "1d"])
    #expect(all.stdout == "deleted 2 runs\n")
    #expect(try db.store.runs(of: "a").isEmpty)
  }

  // MARK: errors

  @Test("bad input exits 2 with one error line", arguments: [
    (["show", "nope"], "cronpp: error: no task named 'nope'\nhint: see 'cronpp ls' for the task names\n"),
    (["logs", "nope"], "cronpp: error: no task named 'nope'\nhint: see 'cronpp ls' for the task names\n"),
    (["logs", "--run", "999"], "cronpp: error: no run with id 999\n"),
    (["logs", "sync", "--status", "done"], "cronpp: error: --status: 'done' is not one of running, success, failed, timeout, skipped, abandoned\n"),
    (["logs", "sync", "--since", "yesterday"],
     "cronpp: error: --since: 'yesterday' is not an instant or a duration\nhint: write RFC 3339 (2026-03-08T09:00:00-05:00), a local date-time (2026-03-08 09:00) in the task's zone, or a duration ago (2h, 7d)\n"),
    (["logs", "sync", "--until", "2026-02-30"],
     "cronpp: error: --until: '2026-02-30' is not an instant or a duration\nhint: write RFC 3339 (2026-03-08T09:00:00-05:00), a local date-time (2026-03-08 09:00) in the task's zone, or a duration ago (2h, 7d)\n"),
    (["logs", "sync", "--since", "1h", "--until", "2h"], "cronpp: error: --since must be before --until\n"),
    (["logs", "sync", "--limit", "0"], "cronpp: error: --limit: 0 is out of range 1-100000\n"),
    (["logs"], "cronpp: error: name a task or pass --run ID\nhint: e.g. 'cronpp logs backup' or 'cronpp logs --run 42'\n"),
    (["logs", "--run", "1", "--status", "failed"], "cronpp: error: --status, --since, --until and --limit select runs of a task; --run shows one run\n"),
    (["logs", "other", "--run", "1"], "cronpp: error: run 1 belongs to 'sync', not 'other'\n"),
    (["prune", "--older-than", "3 months"],
     "cronpp: error: --older-than: '3 months' is not a duration\nhint: write <number><unit> groups, units d, h, m, s (e.g. 90d, 12h, 1d12h)\n"),
    (["prune", "--keep=-1"], "cronpp: error: --keep: -1 is negative; pass 0 or more\n"),
  ])
  func badInput(arguments: [String], stderr: String) throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    try db.run(of: try db.task("sync"), .success, at: HistoryDatabase.created)
    try db.task("other")
    let output = try db.cronpp(arguments)
    #expect(output.status == 2)
    #expect(output.stdout == "")
    #expect(output.stderr == stderr)
  }

  @Test("conflicting or malformed options are usage errors (exit 2)", arguments: [
    ["ls", "--enabled", "--disabled"], ["logs", "--run", "many"], ["prune", "--keep", "some"], ["show"],
  ])
  func usageErrors(arguments: [String]) throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    let output = try db.cronpp(arguments)
    #expect(output.status == 2)
    #expect(output.stderr.hasPrefix("cronpp: error: "))
  }

  @Test("a file that is not a database exits 3 for every command", arguments: [
    ["ls"], ["ls", "--json"], ["show", "sync"], ["logs", "sync"], ["logs", "--run", "1"], ["prune"],
  ])
  func notADatabase(arguments: [String]) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-history-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("notes.txt").path
    try "not a database, just some notes\n".write(toFile: path, atomically: true, encoding: .utf8)
    let output = try BinaryRunner.cronpp().run(arguments + ["--db", path])
    #expect(output.status == 3)
    #expect(output.stdout == "")
    #expect(output.stderr == "cronpp: error: \(path) is not a cronpp database (not SQLite)\nhint: check --db or CRONPP_DB\n")
  }
}
