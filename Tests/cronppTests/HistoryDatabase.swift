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

  /// Parses `--json` output.
  static func json(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
  }
}
