import CronppStore
import Foundation
import Testing

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
    let tasks = try #require(try HistoryDatabase.json(output.stdout) as? [[String: Any]])
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
    let tasks = try #require(try HistoryDatabase.json(output.stdout) as? [[String: Any]])
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

  @Test("ls --json writes each task as show --json encodes it, keys sorted, strings escaped")
  func lsJSONMatchesEncoder() throws {
    let db = try HistoryDatabase()
    defer { db.cleanup() }
    var task = TaskRecord(name: "odd", schedule: "H 3 * * *", body: "return 1", now: HistoryDatabase.created)
    task.description = "a \"quoted\" back\\slash/slash\ttab\nnew line \u{1} é 😀"
    (task.timeZone, task.sourcePath, task.timeoutSeconds, task.autoDisableAfter) = ("Asia/Kolkata", "/srv/tasks/odd.lua", 90, 3)
    (task.config, task.capabilities, task.tags, task.retries, task.overlap) = (#"{"url":"https://example.org/a?b=1"}"#, ["http", "db"], ["x", #"quo"te"#, #"back\slash"#], 2, .queue)
    let stored = try db.store.create(task, actor: "tester", now: HistoryDatabase.created)
    try db.run(of: stored, .failed, at: HistoryDatabase.created.addingTimeInterval(3600.75), taking: 2.5)
    try db.run(of: stored, .success, at: HistoryDatabase.created.addingTimeInterval(7200.25), taking: 0.5)
    try db.run(of: stored, .success, at: HistoryDatabase.created.addingTimeInterval(10_800), taking: 0.5)

    let listed = try db.cronpp(["ls", "--json"])
    let shown = try db.cronpp(["show", "odd", "--json"])
    #expect(listed.status == 0)
    let listedObject = try #require((try HistoryDatabase.json(listed.stdout) as? [[String: Any]])?.first)
    var shownObject = try #require(try HistoryDatabase.json(shown.stdout) as? [String: Any])
    for key in ["body", "scheduleDescription", "statistics", "recentRuns"] { shownObject.removeValue(forKey: key) }
    #expect(NSDictionary(dictionary: listedObject) == NSDictionary(dictionary: shownObject))
    #expect(listedObject["description"] as? String == task.description)
    #expect(listedObject["tags"] as? [String] == task.tags)
    #expect(listedObject["capabilities"] as? [String] == ["http", "db"])
    #expect(listedObject["successRate"] as? Double == 2.0 / 3.0)
    let keys = listed.stdout.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("    \""), let end = line.dropFirst(5).firstIndex(of: "\"") else { return nil }
      return String(line[line.index(line.startIndex, offsetBy: 5)..<end])
    }
    #expect(keys.count == listedObject.count)
    #expect(keys == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
  }

  @Test("reading a database that does not exist creates none", arguments: [
    (["ls"], 0), (["ls", "--json"], 0), (["show", "x"], 2), (["logs", "x"], 2), (["logs", "--run", "1"], 2), (["prune"], 0),
  ] as [([String], Int32)])
  func missingDatabase(arguments: [String], status: Int32) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-history-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("cronpp.sqlite").path
    let output = try BinaryRunner.cronpp().run(arguments + ["--db", path])
    #expect(output.status == status)
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(!FileManager.default.fileExists(atPath: directory.path))
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
      on failure    -
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
    let object = try #require(try HistoryDatabase.json(output.stdout) as? [String: Any])
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
