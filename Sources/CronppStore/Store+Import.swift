import Foundation
import GRDB

/// What importing a crontab makes of each of its lines: a task, a variable for the lines
/// below, or a reason it was skipped. Nothing is written until `Store.create(_:actor:)`.
public struct CrontabImport: Sendable, Equatable {
  public enum Outcome: Sendable, Equatable {
    case imported(Crontab.Entry, TaskRecord)
    case variable(Crontab.Variable)
    case skipped(line: Int, problem: CrontabProblem)
  }

  public let outcomes: [Outcome]

  public var tasks: [TaskRecord] { outcomes.compactMap { if case .imported(_, let task) = $0 { task } else { nil } } }

  public var skippedCount: Int { outcomes.count(where: { if case .skipped = $0 { true } else { false } }) }

  /// Names the tasks (unique against `existingNames` and each other) and builds them; a line
  /// whose task is refused (an `H` schedule that never fires for its name) is skipped.
  /// `file` is the crontab's path as the user wrote it, for the tasks' descriptions.
  public init(_ crontab: Crontab, file: String, prefix: String?, existingNames: Set<String>, now: Date) {
    var namer = Crontab.TaskNamer(prefix: prefix, taken: existingNames)
    outcomes = crontab.lines.map { line in
      switch line {
      case .variable(let variable):
        return .variable(variable)
      case .rejected(let number, let problem):
        return .skipped(line: number, problem: problem)
      case .entry(let entry):
        do throws(SettingError) {
          return .imported(entry, try entry.task(named: namer.name(for: entry.command), file: file, now: now))
        } catch {
          return .skipped(line: entry.line, problem: error.scheduleError.map(CrontabProblem.schedule) ?? .setting(error.message))
        }
      }
    }
  }
}

extension Crontab.Entry {
  /// The task this line becomes: the schedule as written in the line's zone, a body running
  /// the command through /bin/sh (granted `exec`), the variables set above it and a system
  /// crontab's user in its config (`{"env": {...}, "user": ...}`), tagged `imported`.
  public func task(named name: String, file: String, now: Date) throws(SettingError) -> TaskRecord {
    guard let body = Crontab.luaBody(running: command) else {
      throw SettingError("body", CrontabProblem.unrepresentable("a carriage return").description)
    }
    var config: [String: Any] = [:]
    if !environment.isEmpty { config["env"] = environment }
    if let user { config["user"] = user }
    guard let data = try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes]) else {
      throw SettingError("config", "cannot be encoded as JSON")
    }
    var settings = TaskSettings()
    settings.schedule = schedule
    settings.timeZone = timeZone
    settings.body = body
    settings.description = "imported from \(file):\(line)"
    settings.config = String(decoding: data, as: UTF8.self)
    settings.tags = ["imported"]
    var task = TaskRecord(name: name, schedule: "", body: "", now: now)
    try settings.apply(to: &task)
    task.capabilities = ["exec"]
    return task
  }
}

extension Store {
  /// Inserts several new tasks in one transaction, each audited as "import": all of them or,
  /// if any name is invalid or taken, none.
  @discardableResult
  public func create(_ tasks: [TaskRecord], actor: String, now: Date = Date()) throws(StoreError) -> [TaskRecord] {
    for task in tasks { try Self.validate(name: task.name) }
    guard !tasks.isEmpty else { return [] }
    return try write { db in
      var created: [TaskRecord] = []
      for task in tasks {
        if try TaskRecord.filter(Column("name") == task.name).fetchCount(db) > 0 { throw StoreError.taskExists(task.name) }
        var task = task
        task.createdAt = now
        task.updatedAt = now
        task.nextRunAt = Self.nextRun(of: task, after: now)
        try task.insert(db)
        try Self.audit(db, action: "import", task: task.name, old: nil, new: task, actor: actor, at: now)
        created.append(task)
      }
      return created
    }
  }
}
