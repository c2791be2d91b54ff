import Foundation
import GRDB

/// A task as stored: what to run, when, under which policies, and its running counters.
public struct TaskRecord: Codable, Sendable, Equatable, StoredRecord, MutablePersistableRecord {
  public static let databaseTableName = "task"

  public var id: Int64?
  public var name: String
  public var description: String
  public var schedule: String
  /// IANA zone; `nil` means the host's zone.
  public var timeZone: String?
  public var body: String
  public var sourcePath: String?
  public var enabled: Bool
  /// Only `apply` may change a locked task.
  public var locked: Bool
  /// Created by `apply` from a file; `edit` refuses it without `--force`.
  public var managed: Bool
  /// `nil` means the default timeout.
  public var timeoutSeconds: Double?
  public var retries: Int
  public var backoffBaseSeconds: Double
  public var backoffCapSeconds: Double
  public var overlap: OverlapPolicy
  public var missed: MissedRunPolicy
  public var autoDisableAfter: Int?
  /// Who hears of a run that failed for good: a task name (run with the failure as its
  /// config) or an http(s) URL (sent the failure as JSON).
  public var onFailure: String?
  /// JSON object text, visible to Lua as `task.config`.
  public var config: String
  public var capabilities: [String]
  public var tags: [String]
  public var nextRunAt: Date?
  public var successCount: Int
  public var failureCount: Int
  public var consecutiveFailures: Int
  public var lastRunAt: Date?
  public var lastStatus: RunStatus?
  public var lastSuccessAt: Date?
  public var lastFailureAt: Date?
  public var createdAt: Date
  public var updatedAt: Date

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

  /// A new task with every policy at its default.
  public init(name: String, schedule: String, body: String, now: Date) {
    self.name = name
    self.description = ""
    self.schedule = schedule
    self.body = body
    enabled = true
    locked = false
    managed = false
    retries = 0
    backoffBaseSeconds = 10
    backoffCapSeconds = 600
    overlap = .skip
    missed = .skip
    config = "{}"
    capabilities = []
    tags = []
    successCount = 0
    failureCount = 0
    consecutiveFailures = 0
    createdAt = now
    updatedAt = now
  }

  /// Share of finished runs that succeeded, if any finished.
  public var successRate: Double? {
    let finished = successCount + failureCount
    return finished == 0 ? nil : Double(successCount) / Double(finished)
  }
}
