import CronppSchedule
import Foundation
import GRDB

/// Which tasks `ls` shows.
public struct TaskFilter: Sendable {
  public var tag: String?
  public var enabled: Bool?
  public var failingOnly = false

  public init(tag: String? = nil, enabled: Bool? = nil, failingOnly: Bool = false) {
    (self.tag, self.enabled, self.failingOnly) = (tag, enabled, failingOnly)
  }
}

extension Store {
  /// Task names are slugs, so they work as file names, log keys and `H` seeds.
  public static func validate(name: String) throws(StoreError) {
    let allowed = name.utf8.allSatisfy { c in
      (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x2E
    }
    guard (1...64).contains(name.utf8.count), allowed, let first = name.first, first.isLetter || first.isNumber else {
      throw StoreError.invalidName(name)
    }
  }

  public func task(named name: String) throws(StoreError) -> TaskRecord {
    guard let task = try read({ db in try TaskRecord.filter(Column("name") == name).fetchOne(db) }) else {
      throw StoreError.taskNotFound(name)
    }
    return task
  }

  public func tasks(matching filter: TaskFilter = TaskFilter()) throws(StoreError) -> [TaskRecord] {
    try read { db in
      var request = TaskRecord.order(Column("name"))
      if let enabled = filter.enabled { request = request.filter(Column("enabled") == enabled) }
      if filter.failingOnly { request = request.filter(Column("consecutive_failures") > 0) }
      if let tag = filter.tag {
        request = request.filter(sql: "EXISTS (SELECT 1 FROM json_each(task.tags) WHERE json_each.value = ?)", arguments: [tag])
      }
      return try request.fetchAll(db)
    }
  }

  /// Inserts a new task (its next fire computed from its schedule) and audits it.
  @discardableResult
  public func create(_ task: TaskRecord, actor: String, now: Date = Date()) throws(StoreError) -> TaskRecord {
    try Self.validate(name: task.name)
    return try write { db in
      if try TaskRecord.filter(Column("name") == task.name).fetchCount(db) > 0 { throw StoreError.taskExists(task.name) }
      var task = task
      task.createdAt = now
      task.updatedAt = now
      task.nextRunAt = Self.nextRun(of: task, after: now)
      try task.insert(db)
      try Self.audit(db, action: "create", task: task.name, old: nil, new: task, actor: actor, at: now)
      return task
    }
  }

  /// Changes a task in one transaction and audits the before and after; `action` names the
  /// change ("edit", "enable", "lock"...). A change that alters nothing writes nothing.
  @discardableResult
  public func update(
    _ name: String, action: String, actor: String, now: Date = Date(),
    _ change: @Sendable (inout TaskRecord) -> Void
  ) throws(StoreError) -> TaskRecord {
    try update([name], action: action, actor: actor, now: now, change)[0]
  }

  /// Changes several tasks in one transaction: an unknown name or a failing change leaves
  /// every task as it was.
  @discardableResult
  public func update(
    _ names: [String], action: String, actor: String, now: Date = Date(),
    _ change: @Sendable (inout TaskRecord) -> Void
  ) throws(StoreError) -> [TaskRecord] {
    try write { db in
      try names.map { name in
        guard let old = try TaskRecord.filter(Column("name") == name).fetchOne(db) else { throw StoreError.taskNotFound(name) }
        var task = old
        change(&task)
        guard task != old else { return old }
        task.updatedAt = now
        if task.schedule != old.schedule || task.timeZone != old.timeZone || task.enabled != old.enabled {
          task.nextRunAt = Self.nextRun(of: task, after: now)
        }
        try task.update(db)
        try Self.audit(db, action: action, task: name, old: old, new: task, actor: actor, at: now)
        return task
      }
    }
  }

  /// Deletes a task with its runs, log lines and state (foreign keys cascade), audited.
  public func delete(_ name: String, actor: String, now: Date = Date()) throws(StoreError) {
    try write { db in
      guard let old = try TaskRecord.filter(Column("name") == name).fetchOne(db) else { throw StoreError.taskNotFound(name) }
      try old.delete(db)
      try Self.audit(db, action: "delete", task: name, old: old, new: nil, actor: actor, at: now)
    }
  }

  public func auditTrail(of name: String) throws(StoreError) -> [AuditEntry] {
    try read { db in try AuditEntry.filter(Column("task_name") == name).order(Column("id")).fetchAll(db) }
  }

  /// The next fire strictly after `now`, for enabled tasks with a calendar schedule.
  public static func nextRun(of task: TaskRecord, after now: Date) -> Date? {
    guard task.enabled, let schedule = try? Schedule(task.schedule, seed: task.name) else { return nil }
    let zone = task.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone.current
    return schedule.nextFire(after: now, in: zone)
  }

  static func audit(_ db: Database, action: String, task: String, old: TaskRecord?, new: TaskRecord?, actor: String, at: Date) throws {
    var entry = AuditEntry(at: at, actor: actor, action: action, taskName: task, oldValue: try old.map(auditJSON), newValue: try new.map(auditJSON))
    try entry.insert(db)
  }

  /// The task's settings as JSON, without counters that change on every run.
  static func auditJSON(_ task: TaskRecord) throws -> String {
    var settings = task
    settings.successCount = 0
    settings.failureCount = 0
    settings.consecutiveFailures = 0
    (settings.lastRunAt, settings.lastStatus, settings.lastSuccessAt, settings.lastFailureAt, settings.nextRunAt) = (nil, nil, nil, nil, nil)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.dateEncodingStrategy = .secondsSince1970
    return String(decoding: try encoder.encode(settings), as: UTF8.self)
  }
}
