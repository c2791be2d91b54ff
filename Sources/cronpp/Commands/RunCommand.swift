import ArgumentParser
import CronppEngine
import CronppLua
import CronppStore
import Foundation

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a task now, or an ad-hoc Lua file, and exit with how it ended.",
    discussion: """
      With a task name, runs the stored task now under its own grants and budgets, records it \
      as a manual run, and prints its log lines as they come. With --script, runs a Lua file \
      in the same sandbox with only the grants given by --allow; it is not recorded unless \
      --record. Exit status: 0 the run succeeded, 1 it failed or timed out, 2 bad usage or \
      input, 3 an environment problem. See cronpp-lua(7) for what a script can use.
      """
  )

  @OptionGroup var store: StoreOptions
  @OptionGroup var data: DataOptions
  @Argument(help: ArgumentHelp("The stored task to run.", valueName: "name"))
  var name: String?
  @Option(help: ArgumentHelp("Run this Lua file instead of a stored task.", valueName: "file"))
  var script: String?
  @Option(help: ArgumentHelp("With --script: the wall-clock budget, e.g. 30s, 5m (default 60s).", valueName: "duration"))
  var timeout: String?
  @Option(name: .customLong("memory-limit"), help: ArgumentHelp("With --script: the memory budget, e.g. 64M, 512K, 1G (default 64M).", valueName: "size"))
  var memoryLimit: String?
  @Option(help: ArgumentHelp("With --script: a JSON object the script reads as task.config.", valueName: "json"))
  var config: String?
  @Option(name: .customLong("allow"), help: ArgumentHelp("With --script: a grant (db, db:write, http:HOST, env:NAME, exec); repeat for several.", valueName: "grant"))
  var grants: [String] = []
  @Flag(help: "With --script: record the run under the stored task its '--- @task' line names (kv then reaches that task's state).")
  var record = false
  @Flag var format: OutputFormat = .table

  func validate() throws {
    if (name == nil) == (script == nil) { throw ValidationError("name a task or pass --script FILE (one of them)") }
    if name != nil && (timeout != nil || memoryLimit != nil || config != nil || !grants.isEmpty || record) {
      throw ValidationError("--timeout, --memory-limit, --config, --allow and --record apply to --script; a stored task runs with its own settings (change them with 'cronpp edit')")
    }
  }

  func run() throws {
    let prepared: (lua: LuaTask, recordAs: TaskRecord?, store: Store?)
    do {
      prepared = try name.map(stored) ?? adHoc(script ?? "")
    } catch {
      throw CommandFailure.wrap(error)
    }
    let host = RunHost(store: prepared.store, storePath: store.resolvedPath, dataPath: data.resolvedPath, http: HTTPClientBridge(), exec: SubprocessRunner())
    let runner = TaskRunner(host: host)
    var onLine: (@Sendable (LuaLogLine) -> Void)?
    if format == .table { onLine = { line in Self.print(line) } }
    let finished: TaskRun
    do throws(StoreError) {
      finished = try runner.run(prepared.lua, recordAs: prepared.recordAs, trigger: .manual, onLine: onLine)
    } catch {
      throw CommandFailure.store(error)
    }
    try report(finished, task: prepared.lua.name)
  }

  /// A stored task with its own body, grants, config and timeout, recorded.
  private func stored(_ name: String) throws -> (LuaTask, TaskRecord?, Store?) {
    let store = try store.open(holding: name)
    let task = try store.task(named: name)
    return (TaskRunner.luaTask(for: task), task, store)
  }

  /// A file run with only what the flags grant; `require` looks beside it.
  private func adHoc(_ path: String) throws -> (LuaTask, TaskRecord?, Store?) {
    guard let data = FileManager.default.contents(atPath: path), let source = String(data: data, encoding: .utf8) else {
      throw CommandFailure.usage("--script: cannot read \(path) as UTF-8 text")
    }
    var settings = TaskSettings()
    (settings.timeout, settings.config) = (timeout, config)
    settings.capabilities = grants.filter { !$0.isEmpty }
    var probe = TaskRecord(name: "script", schedule: "@reboot", body: source, now: Date())
    try settings.apply(to: &probe)
    var limits = LuaLimits(wallTime: probe.timeoutSeconds ?? TaskRunner.defaultTimeout)
    if let memoryLimit { limits.memoryBytes = try Self.bytes(memoryLimit) }
    var recordAs: TaskRecord?
    var openStore: Store?
    var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    if record {
      guard let file = try? TaskFile.parse(source, path: path) else {
        throw CommandFailure.usage("--record: \(path) has no valid '--- @task NAME' line naming the task to record under")
      }
      openStore = try store.open(holding: file.name)
      recordAs = try openStore?.task(named: file.name)
      name = file.name
    }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let lua = LuaTask(name: name, source: source, chunkName: path, config: probe.config, grants: probe.capabilities, modulesRoot: folder, limits: limits)
    return (lua, recordAs, openStore)
  }

  private func report(_ finished: TaskRun, task: String) throws {
    let outcome = finished.outcome
    let which = finished.record?.id.map { "run \($0) of \(task)" } ?? task
    switch format {
    case .json:
      try JSONOutput.print(ScriptRunJSON(finished, task: task), pretty: true)
    case .table:
      if outcome.status == .success {
        let result = outcome.result.map { ", result \($0)" } ?? ""
        FileHandle.standardError.write(Data("cronpp: \(which): success in \(HistoryRendering.duration(finished.duration))\(result)\n".utf8))
      }
    }
    guard outcome.status == .success else {
      let detail = format == .table ? outcome.traceback : nil
      // A timeout's error already says "timeout: ...".
      let status = outcome.status == .timeout ? "" : "\(outcome.status.rawValue): "
      throw CommandFailure(kind: .runFailed, message: "\(which): \(status)\(outcome.error ?? "")", detail: detail)
    }
  }

  /// One captured line, as it happens: local clock time, level, message, fields.
  static func print(_ line: LuaLogLine) {
    let clock = line.at.formatted(Date.VerbatimFormatStyle(
      format: "\(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits).\(secondFraction: .fractional(3))",
      timeZone: .current, calendar: Calendar(identifier: .gregorian)))
    var text = "\(clock)  \(line.level.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0))  \(line.message)"
    if let fields = line.fields, fields != "{}" { text += "  \(fields)" }
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  /// `64M`, `512K`, `1G`, `65536`: binary units, between 1 MiB and 4 GiB.
  static func bytes(_ text: String) throws -> Int {
    let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
    var digits = Substring(text.uppercased())
    for suffix in ["IB", "B"] where digits.hasSuffix(suffix) { digits = digits.dropLast(suffix.count) }
    var multiplier = 1
    if let last = digits.last, let unit = units[last] { (multiplier, digits) = (unit, digits.dropLast()) }
    guard let value = Int(digits), value > 0, value <= (4 << 30) / multiplier, value * multiplier >= 1 << 20 else {
      throw CommandFailure.usage("--memory-limit: '\(text)' is not a size between 1M and 4G (e.g. 64M, 512K, 1G)")
    }
    return value * multiplier
  }
}

/// `run --json`: the run record, with its log lines, as `logs --run --json` prints it.
struct ScriptRunJSON: Encodable {
  let id: Int64?
  let task: String
  let trigger: String
  let attempt: Int
  let startedAt, finishedAt: String?
  let duration: Double
  let status: String
  /// JSON text of the value the script returned.
  let result: String?
  let error, traceback: String?
  let lines: [RunJSON.Line]

  init(_ run: TaskRun, task: String) {
    let outcome = run.outcome
    (id, self.task, trigger, attempt) = (run.record?.id, task, "manual", 1)
    (startedAt, finishedAt, duration) = (HistoryRendering.utc(run.startedAt), HistoryRendering.utc(run.finishedAt), run.duration)
    (status, result, error, traceback) = (outcome.status.rawValue, outcome.result, outcome.error, outcome.traceback)
    lines = outcome.lines.enumerated().map { seq, line in
      RunJSON.Line(seq: seq, at: HistoryRendering.utc(line.at), level: line.level.rawValue, message: line.message, fields: line.fields)
    }
  }
}
