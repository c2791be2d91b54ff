import Foundation
import GRDB

/// One execution of a task (or a skipped fire, recorded so history shows it).
public struct RunRecord: Codable, Sendable, Equatable, StoredRecord, MutablePersistableRecord {
  public static let databaseTableName = "run"

  public var id: Int64?
  public var taskId: Int64
  public var trigger: RunTrigger
  public var attempt: Int
  public var scheduledAt: Date?
  public var startedAt: Date
  public var finishedAt: Date?
  public var duration: Double?
  public var status: RunStatus
  /// JSON text of the task's return value.
  public var result: String?
  public var error: String?
  public var traceback: String?
  public var instanceId: String?
  /// When a retry of this failed run is due; serve claims it by clearing this, so each
  /// retry runs once however many instances share the database.
  public var retryAt: Date?

  public init(
    taskId: Int64, trigger: RunTrigger, attempt: Int = 1, scheduledAt: Date? = nil, startedAt: Date,
    finishedAt: Date? = nil, status: RunStatus, result: String? = nil, error: String? = nil,
    traceback: String? = nil, instanceId: String? = nil
  ) {
    self.taskId = taskId
    self.trigger = trigger
    self.attempt = attempt
    self.scheduledAt = scheduledAt
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.duration = finishedAt.map { $0.timeIntervalSince(startedAt) }
    self.status = status
    self.result = result
    self.error = error
    self.traceback = traceback
    self.instanceId = instanceId
  }

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A line a run logged (`log.info`, `print`...), in order.
public struct RunLogLine: Codable, Sendable, Equatable, StoredRecord, PersistableRecord {
  public static let databaseTableName = "run_log"

  public var runId: Int64
  public var seq: Int
  public var at: Date
  public var level: LogLevel
  public var message: String
  /// JSON object text of structured fields, if any.
  public var fields: String?

  public init(runId: Int64, seq: Int, at: Date, level: LogLevel, message: String, fields: String? = nil) {
    (self.runId, self.seq, self.at, self.level, self.message, self.fields) = (runId, seq, at, level, message, fields)
  }
}

/// A change to a task: who, when, and the task before and after (JSON).
public struct AuditEntry: Codable, Sendable, Equatable, StoredRecord, MutablePersistableRecord {
  public static let databaseTableName = "audit"

  public var id: Int64?
  public var at: Date
  /// The OS user who ran the command.
  public var actor: String
  public var action: String
  public var taskName: String
  public var oldValue: String?
  public var newValue: String?

  public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
