import CronppLua
import CronppStore
import Foundation

/// What runs reach on the host: the store (for `kv` and the run record), the data
/// database, the process environment, HTTP and child processes.
public struct RunHost: Sendable {
  public var store: Store?
  /// The cronpp database's path even when it is not open, so `db` can refuse to reach it.
  public var storePath: String?
  /// The database `db` reaches (`--data-db`, `CRONPP_DATA_DB`); `nil` means none.
  public var dataPath: String?
  public var environment: [String: String]
  public var http: (any HTTPBridge)?
  public var exec: (any ProcessRunner)?

  public init(
    store: Store?, storePath: String? = nil, dataPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
    http: (any HTTPBridge)? = nil, exec: (any ProcessRunner)? = nil
  ) {
    (self.store, self.storePath, self.dataPath, self.environment, self.http, self.exec) = (store, storePath ?? store?.path, dataPath, environment, http, exec)
  }
}

/// A finished run: what the script did and, when recorded, the stored record.
public struct TaskRun: Sendable {
  public var outcome: LuaRunOutcome
  public var record: RunRecord?
  public var startedAt: Date
  public var finishedAt: Date
  public var duration: TimeInterval { finishedAt.timeIntervalSince(startedAt) }
}

/// Runs tasks on threads of their own and records them: the one path `cronpp run` and
/// `serve` share.
public struct TaskRunner: Sendable {
  public static let defaultTimeout: TimeInterval = 60

  public let host: RunHost

  public init(host: RunHost) { self.host = host }

  /// The Lua side of a stored task: its body, grants, config and budgets. `require` finds
  /// modules beside the task's source file.
  public static func luaTask(for task: TaskRecord) -> LuaTask {
    let source = task.sourcePath.flatMap { $0.isEmpty ? nil : $0 }
    return LuaTask(
      name: task.name, source: task.body, chunkName: source ?? "\(task.name).lua", config: task.config,
      grants: task.capabilities, modulesRoot: source.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path },
      limits: LuaLimits(wallTime: task.timeoutSeconds ?? defaultTimeout))
  }

  /// Runs `lua` now. With `recordAs`, the run is recorded under that stored task: first as
  /// `running` (so the script sees its id), then with its outcome and log lines.
  public func run(
    _ lua: LuaTask, recordAs task: TaskRecord? = nil, trigger: RunTrigger = .manual, attempt: Int = 1,
    scheduledAt: Date? = nil, instanceId: String? = nil, onLine: (@Sendable (LuaLogLine) -> Void)? = nil
  ) throws(StoreError) -> TaskRun {
    let startedAt = Date()
    var record: RunRecord?
    if let task, let taskId = task.id, let store = host.store {
      record = try store.start(
        RunRecord(taskId: taskId, trigger: trigger, attempt: attempt, scheduledAt: scheduledAt, startedAt: startedAt, status: .running, instanceId: instanceId))
    }
    let info = LuaRunInfo(id: record?.id, attempt: attempt, trigger: trigger.rawValue, scheduledAt: scheduledAt)
    let outcome = LuaThread.run { [self] in execute(lua, as: task, info: info, onLine: onLine) }
    let finishedAt = Date()
    if let started = record, let store = host.store {
      let finished = Self.completed(started, with: outcome, at: finishedAt)
      try store.finish(finished, lines: Self.storedLines(outcome))
      record = finished
    }
    return TaskRun(outcome: outcome, record: record, startedAt: startedAt, finishedAt: finishedAt)
  }

  /// Runs `lua` on the calling thread, which must be one of ours with a large stack
  /// (`LuaThread`, serve's workers); records nothing.
  public func execute(_ lua: LuaTask, as task: TaskRecord?, info: LuaRunInfo, onLine: (@Sendable (LuaLogLine) -> Void)? = nil) -> LuaRunOutcome {
    LuaRuntime.run(lua, run: info, services: services(for: task, onLine: onLine))
  }

  /// `run` finished at `finishedAt` with `outcome`.
  public static func completed(_ run: RunRecord, with outcome: LuaRunOutcome, at finishedAt: Date) -> RunRecord {
    var finished = run
    finished.finishedAt = finishedAt
    finished.duration = finishedAt.timeIntervalSince(run.startedAt)
    finished.status = RunStatus(outcome.status)
    (finished.result, finished.error, finished.traceback) = (outcome.result, outcome.error, outcome.traceback)
    return finished
  }

  /// The outcome's log lines as the store keeps them.
  public static func storedLines(_ outcome: LuaRunOutcome) -> [(at: Date, level: LogLevel, message: String, fields: String?)] {
    outcome.lines.map { line in (line.at, LogLevel(line.level), line.message, line.fields) }
  }

  private func services(for task: TaskRecord?, onLine: (@Sendable (LuaLogLine) -> Void)?) -> LuaServices {
    let (dataPath, storePath) = (host.dataPath, host.storePath)
    var openData: (@Sendable (Bool) throws(BridgeError) -> any DataSource)?
    if let dataPath {
      openData = { (write: Bool) throws(BridgeError) -> any DataSource in
        try SQLiteDataSource(path: dataPath, write: write, storePath: storePath)
      }
    }
    let state = task.flatMap { task in host.store.map { StoreTaskState(store: $0, task: task.name) } }
    return LuaServices(openData: openData, state: state, http: host.http, exec: host.exec, environment: host.environment, onLine: onLine)
  }
}

extension RunStatus {
  init(_ status: LuaRunStatus) {
    switch status {
    case .success: self = .success
    case .failed: self = .failed
    case .timeout: self = .timeout
    }
  }
}

extension LogLevel {
  init(_ level: LuaLogLine.Level) {
    switch level {
    case .debug: self = .debug
    case .info: self = .info
    case .warn: self = .warn
    case .error: self = .error
    }
  }
}
