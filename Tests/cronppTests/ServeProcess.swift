import Foundation
import GRDB

/// A real `cronpp serve` process (the built binary) started for a test, with `--log-format
/// json`: its standard output and error go to files, and each stdout line is one event.
/// Tests SIGKILL it in a `defer` (`kill()`), whatever happened before.
final class ServeProcess: @unchecked Sendable {
  /// One line serve logged: the JSON object, its `event` and `at`.
  struct Event: @unchecked Sendable, CustomStringConvertible {
    let fields: [String: Any]
    let line: String

    var name: String { fields["event"] as? String ?? "" }
    var at: Date? { (fields["at"] as? String).flatMap(ServeProcess.instant) }
    subscript(key: String) -> Any? { fields[key] }
    func int(_ key: String) -> Int? { (fields[key] as? NSNumber)?.intValue }
    func double(_ key: String) -> Double? { (fields[key] as? NSNumber)?.doubleValue }
    func string(_ key: String) -> String? { fields[key] as? String }
    var description: String { line }
  }

  let process = Process()
  let database: String
  private let outURL: URL
  private let errURL: URL
  private let scratch: URL

  /// Starts `cronpp serve --db DATABASE --log-format json ARGUMENTS`.
  init(database: String, arguments: [String] = []) throws {
    self.database = database
    scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-serve-out-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    outURL = scratch.appendingPathComponent("stdout")
    errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    defer {
      try? out.close()
      try? err.close()
    }
    process.executableURL = try BinaryRunner.cronpp().executable
    process.arguments = ["serve", "--db", database, "--log-format", "json"] + arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = out
    process.standardError = err
    try process.run()
  }

  deinit {
    kill()
    try? FileManager.default.removeItem(at: scratch)
  }

  var pid: Int32 { process.processIdentifier }
  var isRunning: Bool { process.isRunning }

  var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
  var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

  /// Every complete line logged so far, parsed; a line that is not a JSON object is kept
  /// with no fields, so a test can report it.
  func events(_ name: String? = nil) -> [Event] {
    let text = stdout
    var events: [Event] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
      let event = Event(fields: object, line: String(line))
      if name == nil || event.name == name { events.append(event) }
    }
    return events
  }

  /// Waits until an event named `name` matching `predicate` is logged, or `timeout` passes.
  @discardableResult
  func waitFor(_ name: String, timeout: TimeInterval = 10, where predicate: (Event) -> Bool = { _ in true }) -> Event? {
    poll(timeout: timeout) { events(name).first(where: predicate) }
  }

  func signal(_ number: Int32) {
    guard process.isRunning else { return }
    _ = Foundation.kill(pid, number)
  }

  /// Waits for the process to end; its exit status, or `nil` if it still runs after
  /// `timeout`. A process killed by a signal gives the signal's number.
  func waitForExit(timeout: TimeInterval) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
      if Date() >= deadline { return nil }
      Thread.sleep(forTimeInterval: 0.02)
    }
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// SIGKILL when it still runs, and reap it.
  func kill() {
    if process.isRunning {
      _ = Foundation.kill(pid, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// What serve printed, for a failure's message (the tail of each stream).
  var transcript: String {
    let out = stdout, err = stderr
    return "stdout (last lines):\n" + out.split(separator: "\n").suffix(40).joined(separator: "\n") + "\nstderr:\n" + String(err.suffix(4000))
  }

  static func instant(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
  }
}

/// Calls `body` until it returns non-nil or `timeout` passes (every 50 ms); the last value.
func poll<T>(timeout: TimeInterval, interval: TimeInterval = 0.05, _ body: () throws -> T?) rethrows -> T? {
  let deadline = Date().addingTimeInterval(timeout)
  while true {
    if let value = try body() { return value }
    if Date() >= deadline { return nil }
    Thread.sleep(forTimeInterval: interval)
  }
}

/// A run as the store holds it, read with SQL (instants as Unix seconds).
struct ServedRun: Sendable, Equatable, CustomStringConvertible {
  var id: Int64
  var task: String
  var trigger: String
  var attempt: Int
  var scheduledAt: Double?
  var startedAt: Double
  var finishedAt: Double?
  var duration: Double?
  var status: String
  var error: String?
  var instanceId: String?
  var retryAt: Double?
  /// What the script returned, as stored (JSON).
  var result: String? = nil

  var description: String {
    "#\(id) \(task) \(trigger) a\(attempt) sched=\(scheduledAt.map { String(format: "%.3f", $0) } ?? "-") "
      + "start=\(String(format: "%.3f", startedAt)) end=\(finishedAt.map { String(format: "%.3f", $0) } ?? "-") \(status)"
      + (error.map { " err=\($0.prefix(80))" } ?? "") + (instanceId.map { " inst=\($0.prefix(8))" } ?? "")
  }
}

/// The serve database, read (and for setups, written) directly with GRDB: a fresh
/// connection per call, so a test never holds one across a serve's start or stop.
struct ServeDatabase: Sendable {
  let path: String

  func read<T>(_ work: (Database) throws -> T) throws -> T {
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(10)
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    return try queue.read(work)
  }

  func write<T>(_ work: (Database) throws -> T) throws -> T {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    return try queue.write(work)
  }

  /// Runs of `task` (every task when nil), by id.
  func runs(of task: String? = nil) throws -> [ServedRun] {
    try read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT run.*, task.name AS task_name FROM run JOIN task ON task.id = run.task_id
          WHERE ? IS NULL OR task.name = ? ORDER BY run.id
          """, arguments: [task, task])
      return rows.map { row in
        ServedRun(
          id: row["id"], task: row["task_name"], trigger: row["trigger"], attempt: row["attempt"], scheduledAt: row["scheduled_at"],
          startedAt: row["started_at"], finishedAt: row["finished_at"], duration: row["duration"], status: row["status"],
          error: row["error"], instanceId: row["instance_id"], retryAt: row["retry_at"], result: row["result"])
      }
    }
  }

  /// One column of the task named `name`.
  func task<T: DatabaseValueConvertible>(_ name: String, _ column: String, as type: T.Type = T.self) throws -> T? {
    try read { db in try T.fetchOne(db, sql: "SELECT \(column) FROM task WHERE name = ?", arguments: [name]) }
  }

  func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
    try read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
  }

  /// Moves the task's next fire (as if serve had been down, or to fire it at once).
  func setNextRun(_ name: String, to date: Date) throws {
    try write { db in
      try db.execute(sql: "UPDATE task SET next_run_at = ? WHERE name = ?", arguments: [date.timeIntervalSince1970, name])
      if db.changesCount != 1 { throw DatabaseError(message: "no task named \(name)") }
    }
  }
}
