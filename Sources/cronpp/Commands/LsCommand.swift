import ArgumentParser
import CronppStore
import Foundation

struct LsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List tasks: state, schedule in words, last run and result, next run, success rate.",
    discussion: """
      Tasks print sorted by name in a table that fits 80 columns; long names and schedules \
      end in "…". With --json, prints a JSON array of every field of each task.
      """
  )

  enum StateFilter: String, EnumerableFlag {
    case enabled, disabled

    static func help(for value: StateFilter) -> ArgumentHelp? {
      switch value {
      case .enabled: "Only enabled tasks."
      case .disabled: "Only disabled tasks."
      }
    }
  }

  @OptionGroup var store: StoreOptions
  @Option(help: ArgumentHelp("Only tasks with this tag.", valueName: "tag"))
  var tag: String?
  @Flag var state: StateFilter?
  @Flag(help: "Only tasks whose latest finished runs failed (one consecutive failure or more).")
  var failing = false
  @Flag var format: OutputFormat = .table

  func run() throws {
    do {
      let filter = TaskFilter(tag: tag, enabled: state.map { $0 == .enabled }, failingOnly: failing)
      // No database file means no tasks; listing them must not create one.
      let tasks = try store.openIfPresent()?.tasks(matching: filter) ?? []
      switch format {
      case .json:
        var json = JSONWriter()
        json.beginArray()
        for task in tasks {
          json.element()
          ListedTask(task).write(to: &json)
          json.flushIfFull()
        }
        json.endArray()
        json.finish()
      case .table:
        if tasks.isEmpty {
          let filtered = tag != nil || state != nil || failing
          FileHandle.standardError.write(Data("cronpp: \(filtered ? "no task matches" : "no tasks yet; create one with 'cronpp add'")\n".utf8))
          return
        }
        print(Self.table(of: tasks, now: Date()), terminator: "")
      }
    } catch {
      throw CommandFailure.wrap(error)
    }
  }

  static func table(of tasks: [TaskRecord], now: Date) -> String {
    var table = TextTable([
      .init("state"), .init("name", shrinksTo: 12), .init("schedule", shrinksTo: 12), .init("last run"),
      .init("result"), .init("next run"), .init("ok", alignment: .right),
    ])
    var words = ScheduleWords()
    table.rows = tasks.map { task in
      [
        task.enabled ? "enabled" : "disabled",
        task.name,
        words.words(for: task),
        task.lastRunAt.map { HistoryRendering.compactRelative($0, from: now) } ?? "-",
        task.lastStatus?.rawValue ?? "-",
        nextRun(of: task, now: now),
        HistoryRendering.rate(task.successRate),
      ]
    }
    return table.rendered()
  }

  /// "in 4m"; "due" when the stored fire has passed (serve takes it, or its missed policy
  /// does); "-" for a disabled task or one without calendar fires (@reboot).
  static func nextRun(of task: TaskRecord, now: Date) -> String {
    guard task.enabled, let next = task.nextRunAt else { return "-" }
    return next < now ? "due" : HistoryRendering.compactRelative(next, from: now)
  }
}

/// A task as `ls --json` and `show --json` print it: `TaskOutput.TaskJSON`'s fields plus
/// the success rate (0-1, absent before the first finished run).
struct ListedTask: Encodable {
  let record: TaskRecord

  init(_ task: TaskRecord) { record = task }

  private enum Keys: String, CodingKey { case successRate }

  /// One flat object: the task's keys and ours in the same container.
  func encode(to encoder: Encoder) throws {
    try TaskOutput.TaskJSON(record).encode(to: encoder)
    var container = encoder.container(keyedBy: Keys.self)
    try container.encodeIfPresent(record.successRate, forKey: .successRate)
  }

  /// The object `encode(to:)` gives, written directly, for listings of thousands of tasks
  /// (HistoryCommandTests checks that the two agree): keys in sorted order, absent values
  /// left out, instants in UTC.
  func write(to json: inout JSONWriter) {
    let t = record
    json.beginObject()
    json.field("autoDisableAfter", t.autoDisableAfter)
    json.field("backoffBaseSeconds", t.backoffBaseSeconds)
    json.field("backoffCapSeconds", t.backoffCapSeconds)
    json.field("capabilities", t.capabilities)
    json.field("config", t.config)
    json.field("consecutiveFailures", t.consecutiveFailures)
    json.field("createdAt", utc: t.createdAt)
    json.field("description", t.description)
    json.field("enabled", t.enabled)
    json.field("failureCount", t.failureCount)
    json.field("lastFailureAt", utc: t.lastFailureAt)
    json.field("lastRunAt", utc: t.lastRunAt)
    json.field("lastStatus", t.lastStatus?.rawValue)
    json.field("lastSuccessAt", utc: t.lastSuccessAt)
    json.field("locked", t.locked)
    json.field("managed", t.managed)
    json.field("missed", t.missed.rawValue)
    json.field("name", t.name)
    json.field("nextRunAt", utc: t.nextRunAt)
    json.field("onFailure", t.onFailure)
    json.field("overlap", t.overlap.rawValue)
    json.field("retries", t.retries)
    json.field("schedule", t.schedule)
    json.field("sourcePath", t.sourcePath)
    json.field("successCount", t.successCount)
    json.field("successRate", t.successRate)
    json.field("tags", t.tags)
    json.field("timeZone", t.timeZone)
    json.field("timeoutSeconds", t.timeoutSeconds)
    json.field("updatedAt", utc: t.updatedAt)
    json.endObject()
  }
}
