import CronppStore
import Foundation
import GRDB
import Testing

/// add, edit, rm, enable, disable, lock and unlock through the built binary on a temporary
/// database, and `next`/`explain` reading a stored task. A command that fails must leave
/// the database as it was: compared as a dump of every table, because opening a database
/// rewrites header bytes (GRDB's WAL set-up) without changing what it holds.
@Suite("cronpp add, edit, rm, enable, disable, lock, unlock")
struct TaskCommandTests {
  /// A temporary directory with the database path the commands get through `--db`.
  struct Scratch {
    let directory: URL
    var path: String { directory.appendingPathComponent("cronpp.sqlite").path }

    init() throws {
      directory = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-tasks-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: directory) }

    func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs `cronpp ARGUMENTS --db PATH` in a zone far from the tasks', so a time read in
    /// the host's zone instead of the task's would show.
    func cronpp(_ arguments: [String], db: String? = nil) throws -> BinaryRunner.Output {
      var environment = ProcessInfo.processInfo.environment
      environment["TZ"] = "Pacific/Chatham"
      environment["CRONPP_DB"] = nil
      return try BinaryRunner.cronpp().run(arguments + ["--db", db ?? path], environment: environment)
    }

    /// Three tasks made through the store: `backup` (Berlin), `frozen` (locked) and
    /// `managed` (from a task file, as `apply` makes them).
    func seed() throws {
      let store = try Store(path: path)
      let now = Date(timeIntervalSince1970: 1_767_225_600)
      var backup = TaskRecord(name: "backup", schedule: "H 3 * * *", body: "return 1", now: now)
      backup.timeZone = "Europe/Berlin"
      var frozen = TaskRecord(name: "frozen", schedule: "@hourly", body: "return 1", now: now)
      frozen.locked = true
      var managed = TaskRecord(name: "managed", schedule: "@daily", body: "return 1", now: now)
      (managed.managed, managed.sourcePath) = (true, "/srv/tasks/managed.lua")
      for task in [backup, frozen, managed] { try store.create(task, actor: "tester", now: now) }
    }

    /// Every row of every table, the schema, and the applied migrations.
    func contents() throws -> String {
      try DatabaseQueue(path: path).read { db in
        let buffer = DumpBuffer()
        try db.dumpContent(format: .debug(), to: buffer)
        let migrations = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier")
        return buffer.text + "\ngrdb_migrations: " + migrations.joined(separator: ", ")
      }
    }

    /// The audit log as (actor, action, task) rows, oldest first.
    func audit() throws -> [[String]] {
      try DatabaseQueue(path: path).read { db in
        try Row.fetchAll(db, sql: "SELECT actor, action, task_name FROM audit ORDER BY id").map { [$0["actor"], $0["action"], $0["task_name"]] }
      }
    }

    func task(_ name: String) throws -> TaskRecord { try Store(path: path).task(named: name) }
  }

  final class DumpBuffer: TextOutputStream { var text = ""; func write(_ string: String) { text += string } }

  /// The user the audit log should name: the effective user, as `cronpp` looks it up.
  static var osUser: String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
    return ProcessInfo.processInfo.environment["USER"] ?? ""
  }

  static func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// The settings in the JSON `add` and `edit` print (counters and instants left out).
  struct Settings: Decodable, Equatable {
    var name, schedule, description, overlap, missed, config: String
    var timeZone, sourcePath: String?
    var timeoutSeconds: Double?
    var retries: Int
    var backoffBaseSeconds, backoffCapSeconds: Double
    var autoDisableAfter: Int?
    var tags: [String]
    var enabled, locked, managed: Bool

    static func decode(_ json: String) throws -> Settings { try JSONDecoder().decode(Settings.self, from: Data(json.utf8)) }
  }

  // MARK: - Lifecycle

  @Test("a task goes through add, edit, disable, enable, lock, a forced edit, unlock and rm, each audited under the OS user")
  func lifecycle() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    let steps: [([String], String)] = [
      (["add", "backup", "--schedule", "H 3 * * *", "--tz", "Europe/Berlin", "--lua", "return 1"], "created backup: Every day at 03:15, in Europe/Berlin time\n"),
      (["edit", "backup", "--schedule", "H 4 * * *"], "edited backup: Every day at 04:15, in Europe/Berlin time\n"),
      (["disable", "backup"], "disabled backup\n"),
      (["edit", "backup", "--retries", "2"], "edited backup: Every day at 04:15, in Europe/Berlin time (disabled)\n"),
      (["enable", "backup"], "enabled backup\n"),
      (["lock", "backup"], "locked backup\n"),
      (["edit", "backup", "--timeout", "2m", "--force"], "edited backup: Every day at 04:15, in Europe/Berlin time\n"),
      (["unlock", "backup"], "unlocked backup\n"),
      (["rm", "backup", "--yes"], "deleted backup\n"),
    ]
    for (arguments, stdout) in steps {
      let result = try db.cronpp(arguments)
      #expect(result == BinaryRunner.Output(stdout: stdout, stderr: "", status: 0), "cronpp \(arguments.joined(separator: " "))")
    }
    let actions = ["create", "edit", "disable", "edit", "enable", "lock", "edit --force", "unlock", "delete"]
    #expect(try db.audit() == actions.map { [Self.osUser, $0, "backup"] })
    #expect(try db.cronpp(["next", "backup"]) == BinaryRunner.Output(stdout: "", stderr: Self.neither("backup"), status: 2))
  }

  @Test("add --json prints every setting as given, normalized, with the next run in UTC")
  func addJSON() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    let body = db.file("report.lua")
    try "return 42\n".write(toFile: body, atomically: true, encoding: .utf8)
    let result = try db.cronpp([
      "add", "report", "--schedule", "30 6 * * MON-FRI", "--tz", "America/New_York", "--file", body,
      "--description", "weekly numbers", "--timeout", "1h30m", "--retries", "3", "--backoff", "30s,5m", "--overlap", "queue",
      "--missed", "once", "--auto-disable", "5", "--config", #"{"b": [true], "a": 1}"#, "--tag", "storage", "--tag", "nightly",
      "--tag", "storage", "--json",
    ])
    #expect(result.status == 0)
    #expect(result.stderr == "")
    #expect(try Settings.decode(result.stdout) == Settings(
      name: "report", schedule: "30 6 * * MON-FRI", description: "weekly numbers", overlap: "queue", missed: "once",
      config: #"{"a":1,"b":[true]}"#, timeZone: "America/New_York", sourcePath: body, timeoutSeconds: 5400, retries: 3,
      backoffBaseSeconds: 30, backoffCapSeconds: 300, autoDisableAfter: 5, tags: ["nightly", "storage"], enabled: true, locked: false, managed: false))
    let task = try Self.jsonObject(result.stdout)
    let next = try #require(task["nextRunAt"] as? String)
    #expect(next.hasSuffix(":30:00+00:00"), "\(next)")
    #expect((task["createdAt"] as? String)?.hasSuffix("+00:00") == true)
    #expect(try db.task("report").body == "return 42\n")
  }

  @Test("edit --json shows the change; '' resets the zone, 0 turns auto-disable off, a disabled task has no next run")
  func editJSON() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    let add = try db.cronpp(["add", "ping", "--schedule", "@every 10m", "--lua", "return 1", "--tz", "Asia/Tokyo", "--auto-disable", "3", "--disabled", "--json"])
    #expect(add.status == 0)
    var expected = Settings(
      name: "ping", schedule: "@every 10m", description: "", overlap: "skip", missed: "skip", config: "{}", timeZone: "Asia/Tokyo",
      sourcePath: nil, timeoutSeconds: nil, retries: 0, backoffBaseSeconds: 10, backoffCapSeconds: 600, autoDisableAfter: 3, tags: [],
      enabled: false, locked: false, managed: false)
    #expect(try Settings.decode(add.stdout) == expected)
    #expect(!(try Self.jsonObject(add.stdout)).keys.contains("nextRunAt"))

    let edit = try db.cronpp(["edit", "ping", "--tz", "", "--auto-disable", "0", "--backoff", "1m", "--json"])
    #expect(edit.status == 0)
    #expect(edit.stderr == "")
    (expected.timeZone, expected.autoDisableAfter, expected.backoffBaseSeconds) = (nil, nil, 60)
    #expect(try Settings.decode(edit.stdout) == expected)
  }

  @Test("enable and disable switch several tasks at once, and a task already in that state is not audited again")
  func severalNames() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    for name in ["a", "b", "c"] { #expect(try db.cronpp(["add", name] + Self.every).status == 0) }
    #expect(try db.cronpp(["disable", "a", "b"]) == BinaryRunner.Output(stdout: "disabled a\ndisabled b\n", stderr: "", status: 0))
    #expect(try db.cronpp(["enable", "a", "b", "c"]) == BinaryRunner.Output(stdout: "enabled a\nenabled b\nenabled c\n", stderr: "", status: 0))
    for name in ["a", "b", "c"] { #expect(try db.task(name).enabled) }
    #expect(try db.audit().map { $0[1] + " " + $0[2] } == ["create a", "create b", "create c", "disable a", "disable b", "enable a", "enable b"])
  }

  // MARK: - next and explain on a stored task

  @Test("next NAME uses the task's schedule, its zone over --tz, and its name as the H seed")
  func nextTask() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    try db.seed()
    let window = ["--from", "2026-01-01", "--count", "2", "--json"]
    let task = try db.cronpp(["next", "backup", "--tz", "UTC"] + window)
    #expect(task == BinaryRunner.Output(stdout: #"["2026-01-01T03:15:00+01:00","2026-01-02T03:15:00+01:00"]"# + "\n", stderr: "", status: 0))
    let expression = try db.cronpp(["next", "H 3 * * *", "--seed", "backup", "--tz", "Europe/Berlin"] + window)
    #expect(task.stdout == expression.stdout)
    let reseeded = try db.cronpp(["next", "backup", "--seed", "other"] + window)
    let expectedReseeded = try db.cronpp(["next", "H 3 * * *", "--seed", "other", "--tz", "Europe/Berlin"] + window)
    #expect(reseeded.status == 0)
    #expect(reseeded.stdout == expectedReseeded.stdout)
    #expect(reseeded.stdout != task.stdout)
  }

  @Test("a task without a zone of its own is read in --tz, like an expression")
  func nextTaskWithoutZone() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    #expect(try db.cronpp(["add", "plain", "--schedule", "0 9 * * *", "--lua", "return 1"]).status == 0)
    let result = try db.cronpp(["next", "plain", "--tz", "Asia/Tokyo", "--from", "2026-01-01", "--count", "1", "--json"])
    #expect(result == BinaryRunner.Output(stdout: #"["2026-01-01T09:00:00+09:00"]"# + "\n", stderr: "", status: 0))
  }

  @Test("explain NAME describes the task's schedule in its zone, with H from its name and no seed warning")
  func explainTask() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    try db.seed()
    let result = try db.cronpp(["explain", "backup", "--from", "2026-01-01", "--json"])
    #expect(result.status == 0)
    let explanation = try Self.jsonObject(result.stdout)
    #expect(["expression", "description", "timeZone"].map { explanation[$0] as? String } == ["H 3 * * *", "Every day at 03:15, in Europe/Berlin time", "Europe/Berlin"])
    #expect((explanation["next"] as? [String])?.first == "2026-01-01T03:15:00+01:00")
    let warnings = try #require(explanation["warnings"] as? [[String: Any]])
    #expect(!warnings.contains { $0["kind"] as? String == "hash-without-seed" })

    let unseeded = try db.cronpp(["explain", "backup", "--seed", "", "--from", "2026-01-01", "--json"])
    #expect(unseeded.stdout.contains(#""kind" : "hash-without-seed""#))
  }

  @Test("an unknown --tz is refused even when the task's own zone wins over it")
  func unknownZoneWithTask() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    try db.seed()
    let result = try db.cronpp(["next", "backup", "--tz", "Mars/Olympus", "--from", "2026-01-01", "--count", "1"])
    #expect(result.status == 2)
    #expect(result.stderr.hasPrefix("cronpp: error: --tz: Mars/Olympus is not a known IANA time zone\n"))
  }

  @Test("next NAME on a database that does not exist says so and creates nothing")
  func nextWithoutDatabase() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    #expect(try db.cronpp(["next", "backup"]) == BinaryRunner.Output(stdout: "", stderr: Self.neither("backup"), status: 2))
    #expect(!FileManager.default.fileExists(atPath: db.path))
  }

  // MARK: - Bad input

  /// A command that must fail with exit 2 and this stderr, on the seeded database.
  struct BadInput: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    /// `{dir}` stands for the scratch directory.
    let stderr: String
    /// Foundation words some messages itself; then only the start is compared.
    var prefixOnly = false

    var testDescription: String { "cronpp " + arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ") }
  }

  static let invalidName = "is not a valid task name: use 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit\n"
  static let noSuchTask = "cronpp: error: no task named 'nope'\nhint: see 'cronpp ls' for the task names\n"
  static let frozen = "cronpp: error: task 'frozen' is locked\nhint: unlock it first with 'cronpp unlock frozen'\n"
  static let every = ["--schedule", "@hourly", "--lua", "return 1"]
  static func neither(_ name: String) -> String {
    "cronpp: error: '\(name)' is neither an expression nor a task\nhint: quote a cron expression ('0 9 * * *'), or see 'cronpp ls' for task names\n"
  }

  static let badInputs: [BadInput] = [
    BadInput(arguments: ["add", "backup"] + every, stderr: "cronpp: error: a task named 'backup' already exists\nhint: change it with 'cronpp edit backup' or pick another name\n"),
    BadInput(arguments: ["edit", "nope", "--retries", "1"], stderr: noSuchTask),
    BadInput(arguments: ["rm", "nope", "--yes"], stderr: noSuchTask),
    BadInput(arguments: ["disable", "backup", "nope"], stderr: noSuchTask),
    BadInput(arguments: ["lock", "backup", "nope"], stderr: noSuchTask),
    BadInput(arguments: ["add", "new", "--schedule", "61 * * * *", "--lua", "return 1"], stderr: "cronpp: error: --schedule: minute: 61 is out of range 0-59\n  61 * * * *\n  ^^\n"),
    BadInput(arguments: ["edit", "backup", "--schedule", "0 9 * * MON-FRY"], stderr: "cronpp: error: --schedule: day-of-week: FRY is not a weekday name (SUN-SAT) or number (0-7)\n  0 9 * * MON-FRY\n              ^^^\n"),
    BadInput(arguments: ["add", "new", "--tz", "Mars/Olympus"] + every, stderr: "cronpp: error: --tz: Mars/Olympus is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)\n"),
    BadInput(arguments: ["edit", "backup", "--tz", "Berlin"], stderr: "cronpp: error: --tz: Berlin is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)\n"),
    BadInput(arguments: ["add", "new", "--timeout", "5q"] + every, stderr: "cronpp: error: --timeout: '5q' is not a duration; write <number><unit> groups, units d, h, m, s (e.g. 90s, 2m, 1h30m)\n"),
    BadInput(arguments: ["edit", "backup", "--timeout", "0s"], stderr: "cronpp: error: --timeout: '0s' is not a duration; write <number><unit> groups, units d, h, m, s (e.g. 90s, 2m, 1h30m)\n"),
    BadInput(arguments: ["edit", "backup", "--backoff", "10m,1s"], stderr: "cronpp: error: --backoff: the cap 1s is below the base 10m\n"),
    BadInput(arguments: ["add", "new", "--retries", "101"] + every, stderr: "cronpp: error: --retries: 101 is out of range 0-100\n"),
    BadInput(arguments: ["add", "new", "--overlap", "never"] + every, stderr: "cronpp: error: --overlap: 'never' is not one of skip, allow, queue\n"),
    BadInput(arguments: ["edit", "backup", "--missed", "some"], stderr: "cronpp: error: --missed: 'some' is not one of skip, once, all\n"),
    BadInput(arguments: ["add", "new", "--tag", "a b"] + every, stderr: "cronpp: error: --tag: 'a b' is not a tag: use 1-64 characters without spaces or commas\n"),
    BadInput(arguments: ["add", "new", "--config", "{bad"] + every, stderr: "cronpp: error: --config: not valid JSON: ", prefixOnly: true),
    BadInput(arguments: ["edit", "backup", "--config", "[1]"], stderr: "cronpp: error: --config: must be a JSON object ({...}), not [1]\n"),
    BadInput(arguments: ["add", "new", "--schedule", "@hourly", "--file", "{dir}/missing.lua"], stderr: "cronpp: error: --file: cannot read {dir}/missing.lua as UTF-8 text\n"),
    BadInput(arguments: ["add", "new", "--schedule", "@hourly", "--file", "{dir}/cronpp.sqlite", "--lua", "return 1"], stderr: "cronpp: error: --file and --lua both give the body; pass one\nhint: see 'cronpp --help' or 'man cronpp'\n"),
    BadInput(arguments: ["add", "new", "--lua", "return 1"], stderr: "cronpp: error: --schedule is required\nhint: e.g. --schedule '*/15 * * * *'\n"),
    BadInput(arguments: ["add", "new", "--schedule", "@hourly"], stderr: "cronpp: error: a body is required: pass --file PATH or --lua CODE\n"),
    BadInput(arguments: ["add", "Backup"] + every, stderr: "cronpp: error: 'Backup' " + invalidName),
    BadInput(arguments: ["add", "two words"] + every, stderr: "cronpp: error: 'two words' " + invalidName),
    BadInput(arguments: ["add", ".hidden"] + every, stderr: "cronpp: error: '.hidden' " + invalidName),
    BadInput(arguments: ["add", "a/b"] + every, stderr: "cronpp: error: 'a/b' " + invalidName),
    BadInput(arguments: ["add", "café"] + every, stderr: "cronpp: error: 'café' " + invalidName),
    BadInput(arguments: ["add", String(repeating: "x", count: 65)] + every, stderr: "cronpp: error: '\(String(repeating: "x", count: 65))' " + invalidName),
    BadInput(arguments: ["edit", "backup"], stderr: "cronpp: error: nothing to change\nhint: pass at least one option, e.g. --schedule or --timeout (see cronpp edit --help)\n"),
    BadInput(arguments: ["edit", "frozen", "--retries", "1"], stderr: frozen),
    BadInput(arguments: ["disable", "frozen"], stderr: frozen),
    BadInput(arguments: ["enable", "frozen"], stderr: frozen),
    BadInput(arguments: ["disable", "backup", "frozen"], stderr: frozen),
    BadInput(arguments: ["rm", "frozen", "--yes"], stderr: frozen),
    BadInput(arguments: ["edit", "managed", "--retries", "1"], stderr: "cronpp: error: task 'managed' is managed by '/srv/tasks/managed.lua' (cronpp apply)\nhint: change the task's file and run 'cronpp apply', or pass --force (audited)\n"),
    BadInput(arguments: ["rm", "backup"], stderr: "cronpp: error: not deleting 'backup' without confirmation\nhint: pass --yes to delete it and its run history\n"),
    BadInput(arguments: ["next", "nope"], stderr: neither("nope")),
    BadInput(arguments: ["explain", "frozen", "--tz", "Mars/Olympus"], stderr: "cronpp: error: --tz: Mars/Olympus is not a known IANA time zone\nhint: use a name such as Europe/Berlin, America/New_York or UTC\n"),
  ]

  @Test("bad input exits 2 with one error line (and a hint or caret) and leaves the database as it was", arguments: badInputs)
  func badInput(_ input: BadInput) throws {
    let db = try Scratch()
    defer { db.cleanup() }
    try db.seed()
    let before = try db.contents()
    let arguments = input.arguments.map { $0.replacingOccurrences(of: "{dir}", with: db.directory.path) }
    let result = try db.cronpp(arguments)
    let stderr = input.stderr.replacingOccurrences(of: "{dir}", with: db.directory.path)
    #expect(result.status == 2)
    #expect(result.stdout == "")
    if input.prefixOnly {
      #expect(result.stderr.hasPrefix(stderr), "\(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count <= 2, "\(result.stderr)")
    } else {
      #expect(result.stderr == stderr)
    }
    #expect(try db.contents() == before)
  }

  // MARK: - Environment problems

  static let storeCommands: [[String]] = [
    ["add", "new", "--schedule", "@hourly", "--lua", "return 1"], ["edit", "backup", "--retries", "1"], ["rm", "backup", "--yes"],
    ["enable", "backup"], ["disable", "backup"], ["lock", "backup"], ["unlock", "backup"], ["next", "backup"], ["explain", "backup"],
  ]

  @Test("a file that is not SQLite exits 3 and is left byte for byte as it was", arguments: storeCommands)
  func notADatabase(_ arguments: [String]) throws {
    let db = try Scratch()
    defer { db.cleanup() }
    let junk = db.file("notes.txt")
    let bytes = Data(String(repeating: "not a database, just some notes\n", count: 64).utf8)
    try bytes.write(to: URL(fileURLWithPath: junk))
    let stderr = "cronpp: error: \(junk) is not a cronpp database (not SQLite)\nhint: check --db or CRONPP_DB\n"
    #expect(try db.cronpp(arguments, db: junk) == BinaryRunner.Output(stdout: "", stderr: stderr, status: 3))
    #expect(try Data(contentsOf: URL(fileURLWithPath: junk)) == bytes)
    #expect(!FileManager.default.fileExists(atPath: junk + "-wal"))
  }

  @Test("a database with a newer schema exits 3 and is left as it was", arguments: storeCommands)
  func newerSchema(_ arguments: [String]) throws {
    let db = try Scratch()
    defer { db.cleanup() }
    try db.seed()
    try DatabaseQueue(path: db.path).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')") }
    let before = try db.contents()
    let stderr = "cronpp: error: \(db.path) was written by a newer cronpp; this binary does not know its schema\nhint: upgrade cronpp\n"
    #expect(try db.cronpp(arguments) == BinaryRunner.Output(stdout: "", stderr: stderr, status: 3))
    #expect(try db.contents() == before)
  }

  @Test("while another process holds the write lock, a write gives up after the busy timeout with exit 3 and a read still works")
  func busy() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    try db.seed()
    let before = try db.contents()
    // The other process: a pool, as `cronpp serve` opens the database, in a write transaction.
    let pool = try DatabasePool(path: db.path)
    let clock = ContinuousClock()
    let (write, waited, read) = try pool.writeWithoutTransaction { (connection: Database) -> (BinaryRunner.Output, Duration, BinaryRunner.Output) in
      try connection.execute(sql: "BEGIN IMMEDIATE")
      defer { try? connection.execute(sql: "ROLLBACK") }
      try connection.execute(sql: "UPDATE task SET retries = 9 WHERE name = 'backup'")
      let start = clock.now
      let write = try db.cronpp(["disable", "backup"])
      let waited = clock.now - start
      let read = try db.cronpp(["next", "backup", "--from", "2026-01-01", "--count", "1", "--json"])
      return (write, waited, read)
    }
    let busy = "cronpp: error: \(db.path) stayed busy past the timeout (another process holds a write lock)\nhint: retry, or stop the process holding the database\n"
    #expect(write == BinaryRunner.Output(stdout: "", stderr: busy, status: 3))
    #expect(waited >= .seconds(4), "gave up after \(waited), before the 5 s busy timeout")
    #expect(read == BinaryRunner.Output(stdout: #"["2026-01-01T03:15:00+01:00"]"# + "\n", stderr: "", status: 0))
    #expect(try db.contents() == before)
  }

  @Test("a read works during another process's write even before that process wrote to the WAL")
  func busyBeforeTheFirstWrite() throws {
    let db = try Scratch()
    defer { db.cleanup() }
    try db.seed()
    // A plain connection (the sqlite3 shell, another program): the WAL file is still empty,
    // and opening a DatabasePool then writes to it to set it up, which has to wait.
    let queue = try DatabaseQueue(path: db.path)
    let read = try queue.writeWithoutTransaction { connection in
      try connection.execute(sql: "BEGIN IMMEDIATE")
      defer { try? connection.execute(sql: "ROLLBACK") }
      return try db.cronpp(["next", "backup", "--from", "2026-01-01", "--count", "1", "--json"])
    }
    #expect(read == BinaryRunner.Output(stdout: #"["2026-01-01T03:15:00+01:00"]"# + "\n", stderr: "", status: 0))
  }
}
