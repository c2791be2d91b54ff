import ArgumentParser
import CronppSchedule
import CronppStore
import Foundation

struct LogsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Show a task's run history, or one run with its output.",
    discussion: """
      With a task name, lists its runs, newest first: id, start, trigger, status, duration and \
      the error or result. With --run ID, prints that run: timings, status, result, error, \
      traceback and every line it logged. Times print in the task's zone.
      """
  )

  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("The task whose runs to list.", valueName: "name"))
  var name: String?
  @Option(name: .customLong("run"), help: ArgumentHelp("Show this one run, with its output (see the ids in the listing).", valueName: "id"))
  var runID: Int64?
  @Option(help: ArgumentHelp("Only runs with this status: running, success, failed, timeout, skipped or abandoned.", valueName: "status"))
  var status: String?
  @Option(help: ArgumentHelp("Only runs started at or after this: RFC 3339, a local date-time in the task's zone, or a duration ago (2h, 7d).", valueName: "instant"))
  var since: String?
  @Option(help: ArgumentHelp("Only runs started before this (same forms as --since).", valueName: "instant"))
  var until: String?
  @Option(help: ArgumentHelp("How many runs to list, newest first (1-100000; default 20).", valueName: "n"))
  var limit: Int?
  @Flag var format: OutputFormat = .table

  static let maxLimit = 100_000

  func run() throws {
    if runID == nil && name == nil { throw CommandFailure.usage("name a task or pass --run ID", hint: "e.g. 'cronpp logs backup' or 'cronpp logs --run 42'") }
    if runID != nil && (status != nil || since != nil || until != nil || limit != nil) {
      throw CommandFailure.usage("--status, --since, --until and --limit select runs of a task; --run shows one run")
    }
    do {
      if let id = runID {
        guard let store = try store.openIfPresent() else { throw StoreError.runNotFound(id) }
        try show(try store.run(id: id), in: store)
      } else if let name {
        try list(name, in: try store.open(holding: name))
      }
    } catch {
      throw CommandFailure.wrap(error)
    }
  }

  private func list(_ name: String, in store: Store) throws {
    let runStatus = try status.map { text in
      guard let value = RunStatus(rawValue: text) else {
        throw CommandFailure.usage("--status: '\(text)' is not one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      return value
    }
    let limit = limit ?? 20
    guard (1...Self.maxLimit).contains(limit) else { throw CommandFailure.usage("--limit: \(limit) is out of range 1-\(Self.maxLimit)") }
    let task = try store.task(named: name)
    let zone = HistoryRendering.zone(of: task)
    let now = Date()
    let from = try since.map { try Self.instant($0, option: "since", in: zone, now: now) }
    let to = try until.map { try Self.instant($0, option: "until", in: zone, now: now) }
    if let from, let to, from >= to { throw CommandFailure.usage("--since must be before --until") }
    let runs = try store.runs(of: name, matching: RunFilter(status: runStatus, since: from, until: to, limit: limit))
    switch format {
    case .json:
      try JSONOutput.print(runs.map { RunJSON($0, task: name) }, pretty: true)
    case .table:
      if runs.isEmpty {
        let filtered = status != nil || since != nil || until != nil
        FileHandle.standardError.write(Data("cronpp: \(filtered ? "no run of '\(name)' matches" : "'\(name)' has not run yet")\n".utf8))
        return
      }
      print(Self.table(of: runs, in: zone), terminator: "")
    }
  }

  private func show(_ detail: RunDetail, in store: Store) throws {
    if let name, name != detail.taskName {
      throw CommandFailure.usage("run \(detail.run.id ?? 0) belongs to '\(detail.taskName)', not '\(name)'")
    }
    switch format {
    case .json:
      try JSONOutput.print(RunJSON(detail.run, task: detail.taskName, lines: detail.lines), pretty: true)
    case .table:
      let zone = HistoryRendering.zone(of: try store.task(named: detail.taskName))
      print(Self.render(detail, in: zone), terminator: "")
    }
  }

  /// A duration ago (`2h`, `7d`) or an instant, read in the task's zone when it has no offset.
  static func instant(_ text: String, option: String, in zone: TimeZone, now: Date) throws -> Date {
    if let seconds = Schedule.seconds(inDuration: text) { return now.addingTimeInterval(-Double(seconds)) }
    guard let instant = InstantParser.parse(text, in: zone) else {
      throw CommandFailure.usage(
        "--\(option): '\(text)' is not an instant or a duration",
        hint: "write RFC 3339 (2026-03-08T09:00:00-05:00), a local date-time (2026-03-08 09:00) in the task's zone, or a duration ago (2h, 7d)")
    }
    return instant
  }

  /// Runs, one a line: id, start in the task's zone, trigger, status, duration, and the error
  /// (else the result) cut to what fits.
  static func table(of runs: [RunRecord], in zone: TimeZone, indent: Int = 0) -> String {
    var table = TextTable(
      [.init("id", alignment: .right), .init("started"), .init("trigger"), .init("status"), .init("duration", alignment: .right), .init("detail", shrinksTo: 6)],
      indent: indent)
    table.rows = runs.map { run in
      [
        run.id.map(String.init) ?? "-", LocalTime(run.startedAt, in: zone).rfc3339, HistoryRendering.trigger(run), run.status.rawValue,
        run.duration.map(HistoryRendering.duration) ?? "-", run.error ?? run.result ?? "",
      ]
    }
    return table.rendered()
  }

  static func render(_ detail: RunDetail, in zone: TimeZone) -> String {
    let run = detail.run
    let time = { (date: Date?) in date.map { LocalTime($0, in: zone).rfc3339 } ?? "-" }
    var fields = FieldList()
    fields.add("run", "\(run.id ?? 0) of \(detail.taskName)")
    fields.add("status", run.status.rawValue)
    fields.add("trigger", run.attempt > 1 ? "\(run.trigger.rawValue) (attempt \(run.attempt))" : run.trigger.rawValue)
    fields.add("scheduled", time(run.scheduledAt))
    fields.add("started", time(run.startedAt))
    fields.add("finished", time(run.finishedAt))
    fields.add("duration", run.duration.map(HistoryRendering.duration) ?? "-")
    fields.add("instance", run.instanceId ?? "-")
    fields.add("result", run.result ?? "-")
    fields.add("error", run.error ?? "-")
    var out = fields.rendered()
    if let traceback = run.traceback, !traceback.isEmpty {
      out += "\ntraceback\n" + indented(traceback)
    }
    out += "\noutput" + (detail.lines.isEmpty ? ": none\n" : " (\(detail.lines.count) line\(detail.lines.count == 1 ? "" : "s"))\n")
    let levelWidth = detail.lines.map(\.level.rawValue.count).max() ?? 0
    for line in detail.lines {
      let local = LocalTime(line.at, in: zone)
      let millis = Int((line.at.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
      let clock = [local.hour, local.minute, local.second].map(twoDigits).joined(separator: ":") + "." + String(1000 + millis).dropFirst()
      var text = "  \(clock)  \(line.level.rawValue.padding(toLength: levelWidth, withPad: " ", startingAt: 0))  \(line.message)"
      if let fields = line.fields, fields != "{}" { text += "  \(fields)" }
      out += text.replacingOccurrences(of: "\n", with: "\n    ") + "\n"
    }
    return out
  }

  private static func indented(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }.joined(separator: "\n")
      .trimmingCharacters(in: .newlines) + "\n"
  }

  private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// A run as `logs --json` and `show --json` print it; `lines` only for one run (`--run`).
struct RunJSON: Encodable {
  let id: Int64?
  let task: String
  let trigger: String
  let attempt: Int
  let scheduledAt, startedAt, finishedAt: String?
  let duration: Double?
  let status: String
  /// JSON text of the task's return value, as stored.
  let result: String?
  let error, traceback, instanceId: String?
  let lines: [Line]?

  struct Line: Encodable {
    let seq: Int
    let at: String?
    let level: String
    let message: String
    /// JSON object text.
    let fields: String?
  }

  init(_ run: RunRecord, task: String, lines: [RunLogLine]? = nil) {
    (id, self.task, trigger, attempt) = (run.id, task, run.trigger.rawValue, run.attempt)
    (scheduledAt, startedAt, finishedAt) = (HistoryRendering.utc(run.scheduledAt), HistoryRendering.utc(run.startedAt), HistoryRendering.utc(run.finishedAt))
    (duration, status, result) = (run.duration, run.status.rawValue, run.result)
    (error, traceback, instanceId) = (run.error, run.traceback, run.instanceId)
    self.lines = lines?.map { Line(seq: $0.seq, at: HistoryRendering.utc($0.at), level: $0.level.rawValue, message: $0.message, fields: $0.fields) }
  }
}
