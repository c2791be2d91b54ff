import ArgumentParser
import CronppSchedule
import CronppStore
import Foundation

struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show every field of a task, its run statistics and its last 10 runs.",
    discussion: "Times print in the task's zone. With --json, prints one object: the fields ls --json prints, the body, statistics and recentRuns."
  )

  @OptionGroup var store: StoreOptions
  @Argument(help: ArgumentHelp("The task to show.", valueName: "name"))
  var name: String
  @Flag var format: OutputFormat = .table

  static let recentRuns = 10

  func run() throws {
    do {
      let store = try store.open(holding: name)
      let task = try store.task(named: name)
      let statistics = try store.statistics(of: task)
      let runs = try store.runs(of: name, matching: RunFilter(limit: Self.recentRuns))
      switch format {
      case .json:
        try JSONOutput.print(ShownTask(task: task, statistics: statistics, runs: runs), pretty: true)
      case .table:
        print(Self.render(task, statistics: statistics, runs: runs, now: Date()), terminator: "")
      }
    } catch {
      throw CommandFailure.wrap(error)
    }
  }

  static func render(_ task: TaskRecord, statistics: TaskStatistics, runs: [RunRecord], now: Date) -> String {
    let zone = HistoryRendering.zone(of: task)
    let time = { (date: Date?) in
      date.map { "\(LocalTime($0, in: zone).rfc3339) (\(TimeRendering.relative($0, from: now)))" } ?? "-"
    }
    let list = { (items: [String]) in items.isEmpty ? "-" : items.joined(separator: ", ") }
    let yesNo = { (flag: Bool) in flag ? "yes" : "no" }

    var fields = FieldList()
    fields.add("name", task.name)
    fields.add("description", task.description.isEmpty ? "-" : task.description)
    fields.add("schedule", task.schedule + "\n" + TaskOutput.scheduleWords(task))
    fields.add("time zone", task.timeZone ?? "the host's (\(TimeRendering.displayName(of: TimeZone.current)))")
    fields.add("state", task.enabled ? "enabled" : "disabled")
    fields.add("locked", yesNo(task.locked))
    fields.add("managed", task.managed ? "yes, by cronpp apply" : "no")
    fields.add("source", task.sourcePath ?? "-")
    fields.add("timeout", task.timeoutSeconds.map(HistoryRendering.span) ?? "default")
    fields.add("retries", "\(task.retries)")
    fields.add("backoff", "\(HistoryRendering.span(seconds: task.backoffBaseSeconds)) doubling to \(HistoryRendering.span(seconds: task.backoffCapSeconds))")
    fields.add("overlap", task.overlap.rawValue)
    fields.add("missed runs", task.missed.rawValue)
    fields.add("auto-disable", task.autoDisableAfter.map { "after \($0) consecutive failure\($0 == 1 ? "" : "s")" } ?? "never")
    fields.add("on failure", task.onFailure ?? "-")
    fields.add("config", task.config)
    fields.add("capabilities", list(task.capabilities))
    fields.add("tags", list(task.tags))
    fields.add("next run", task.enabled ? time(task.nextRunAt) : "- (disabled)")
    fields.add("created", time(task.createdAt))
    fields.add("updated", time(task.updatedAt))
    var out = fields.rendered()

    var stats = FieldList()
    let finished = task.successCount + task.failureCount
    stats.add("runs", "\(statistics.runs) kept; \(task.successCount) succeeded and \(task.failureCount) failed in all")
    stats.add("success rate", finished == 0 ? "-" : "\(HistoryRendering.rate(statistics.successRate)) (\(task.successCount) of \(finished))")
    stats.add("average duration", statistics.averageDuration.map(HistoryRendering.duration) ?? "-")
    stats.add("p95 duration", statistics.p95Duration.map(HistoryRendering.duration) ?? "-")
    stats.add("consecutive failures", "\(statistics.consecutiveFailures)")
    stats.add("last run", task.lastRunAt.map { "\(task.lastStatus?.rawValue ?? "finished") at \(time($0))" } ?? "-")
    stats.add("last success", time(statistics.lastSuccessAt))
    stats.add("last failure", time(statistics.lastFailureAt))
    out += "\nstatistics\n" + stats.rendered(indent: 2)

    out += "\nrecent runs" + (runs.isEmpty ? ": none\n" : "\n" + LogsCommand.table(of: runs, in: zone, indent: 2))
    out += "\nbody\n" + task.body.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }.joined(separator: "\n")
    while out.last == "\n" || out.last == " " { out.removeLast() }
    return out + "\n"
  }
}

/// A task as `show --json` prints it: `ls --json`'s object plus the body, the schedule in
/// words, statistics and the last runs, newest first.
struct ShownTask: Encodable {
  let task: ListedTask
  let body: String
  let scheduleDescription: String
  let statistics: Statistics
  let recentRuns: [RunJSON]

  struct Statistics: Encodable {
    let runs: Int
    let successRate, averageDuration, p95Duration: Double?
    let consecutiveFailures: Int
    let lastSuccessAt, lastFailureAt: String?
  }

  init(task: TaskRecord, statistics s: TaskStatistics, runs: [RunRecord]) {
    self.task = ListedTask(task)
    body = task.body
    scheduleDescription = TaskOutput.scheduleWords(task)
    statistics = Statistics(
      runs: s.runs, successRate: s.successRate, averageDuration: s.averageDuration, p95Duration: s.p95Duration,
      consecutiveFailures: s.consecutiveFailures, lastSuccessAt: HistoryRendering.utc(s.lastSuccessAt), lastFailureAt: HistoryRendering.utc(s.lastFailureAt))
    recentRuns = runs.map { RunJSON($0, task: task.name) }
  }

  private enum Keys: String, CodingKey { case body, scheduleDescription, statistics, recentRuns }

  func encode(to encoder: Encoder) throws {
    try task.encode(to: encoder)
    var container = encoder.container(keyedBy: Keys.self)
    try container.encode(body, forKey: .body)
    try container.encode(scheduleDescription, forKey: .scheduleDescription)
    try container.encode(statistics, forKey: .statistics)
    try container.encode(recentRuns, forKey: .recentRuns)
  }
}
