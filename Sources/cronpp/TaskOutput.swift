import CronppSchedule
import CronppStore
import Foundation

/// How a task prints after a change, and as JSON for scripts.
enum TaskOutput {
  /// The JSON form of a task: every stored field, instants as RFC 3339 in UTC.
  struct TaskJSON: Encodable {
    let name, description, schedule: String
    let timeZone: String?
    let enabled, locked, managed: Bool
    let sourcePath: String?
    let timeoutSeconds: Double?
    let retries: Int
    let backoffBaseSeconds, backoffCapSeconds: Double
    let overlap, missed: String
    let autoDisableAfter: Int?
    let onFailure: String?
    let config: String
    let tags, capabilities: [String]
    let nextRunAt, lastRunAt, lastSuccessAt, lastFailureAt: String?
    let lastStatus: String?
    let successCount, failureCount, consecutiveFailures: Int
    let createdAt, updatedAt: String

    init(_ t: TaskRecord) {
      let utc = { (d: Date?) in d.map { LocalTime($0, in: TimeZone(identifier: "UTC") ?? .current).rfc3339 } }
      (name, description, schedule, timeZone) = (t.name, t.description, t.schedule, t.timeZone)
      (enabled, locked, managed, sourcePath) = (t.enabled, t.locked, t.managed, t.sourcePath)
      (timeoutSeconds, retries, backoffBaseSeconds, backoffCapSeconds) = (t.timeoutSeconds, t.retries, t.backoffBaseSeconds, t.backoffCapSeconds)
      (overlap, missed, autoDisableAfter, config) = (t.overlap.rawValue, t.missed.rawValue, t.autoDisableAfter, t.config)
      (tags, capabilities, onFailure) = (t.tags, t.capabilities, t.onFailure)
      (nextRunAt, lastRunAt, lastSuccessAt, lastFailureAt) = (utc(t.nextRunAt), utc(t.lastRunAt), utc(t.lastSuccessAt), utc(t.lastFailureAt))
      lastStatus = t.lastStatus?.rawValue
      (successCount, failureCount, consecutiveFailures) = (t.successCount, t.failureCount, t.consecutiveFailures)
      (createdAt, updatedAt) = (utc(t.createdAt) ?? "", utc(t.updatedAt) ?? "")
    }
  }

  /// `created cleanup: every 5 minutes (next 2026-…)`, or the task as JSON.
  static func printChange(_ task: TaskRecord, verb: String, format: OutputFormat) throws {
    switch format {
    case .json:
      try JSONOutput.print(TaskJSON(task), pretty: true)
    case .table:
      print("\(verb) \(task.name): \(scheduleWords(task))\(task.enabled ? "" : " (disabled)")")
    }
  }

  /// The task's schedule in English, in its zone.
  static func scheduleWords(_ task: TaskRecord) -> String {
    guard let schedule = try? Schedule(task.schedule, seed: task.name) else { return task.schedule }
    return schedule.englishDescription(zone: task.timeZone.flatMap(TimeZone.init(identifier:)))
  }
}
