import CronppStore
import Foundation
import Testing

extension HistoryCommandTests {
  /// `logs NAME` listings and filters, and `logs --run ID`.
  @Suite("cronpp logs")
  struct Logs {
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
      let runs = try #require(try HistoryDatabase.json(output.stdout) as? [[String: Any]])
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
      #expect((try HistoryDatabase.json(recent.stdout) as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [4])
      let day = try db.cronpp(["logs", "sync", "--since", "2d", "--until", "1d", "--json"])
      #expect((try HistoryDatabase.json(day.stdout) as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [2])
      let old = try db.cronpp(["logs", "sync", "--until", "1d12h", "--json"])
      #expect((try HistoryDatabase.json(old.stdout) as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1])
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
      let object = try #require(try HistoryDatabase.json(output.stdout) as? [String: Any])
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
  }
}
