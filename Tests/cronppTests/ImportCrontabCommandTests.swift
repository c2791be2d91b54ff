import CronppStore
import Foundation
import Testing

/// A scratch directory with a database path in it; nothing exists until a command creates it.
private struct Scratch {
  let directory: URL
  var db: String { directory.appendingPathComponent("cronpp.sqlite").path }

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("cronpp-import-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  func cleanup() { try? FileManager.default.removeItem(at: directory) }

  /// Writes `text` (or raw bytes) to a file in the directory and returns its path.
  func file(_ name: String, _ text: String) throws -> String {
    try file(name, Data(text.utf8))
  }

  func file(_ name: String, _ data: Data) throws -> String {
    let url = directory.appendingPathComponent(name)
    try data.write(to: url)
    return url.path
  }

  func run(_ arguments: [String]) throws -> BinaryRunner.Output {
    try BinaryRunner.cronpp().run(["import-crontab", "--db", db] + arguments)
  }
}

@Suite("cronpp import-crontab")
struct ImportCrontabCommandTests {
  static let example = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("examples/crontab.example").path

  static func report(file: String, verb: String = "imported") -> String {
    """
    env  2  SHELL=/bin/bash
    warning  2  SHELL=/bin/bash is kept in each task's config, but imported commands run with /bin/sh
    env  3  MAILTO=ops@example.com
    env  4  PATH=/usr/local/bin:/usr/bin:/bin
    imported  7  backup-db  30 2 * * *
    imported  8  backup-db-2  15 */6 * * *
    imported  9  warm-cache  @reboot
    imported  10  cd  @hourly
    env  11  CRON_TZ=Europe/Berlin
    imported  12  send-report  0 7 * * MON-FRI  (Europe/Berlin)
    imported  13  date  0 0 1 * *  (Europe/Berlin)
    warning  13  unescaped %: cron would end the command there and send the rest as standard input; the command is kept as written, % included
    env  14  CRON_TZ=America/New_York
    imported  15  send-report-2  45 23 * * 0  (America/New_York)
    skipped  17  day-of-month: 32 is out of range 1-31
    skipped  18  expected 5 schedule fields (or a macro such as @daily) and then a command
    skipped  19  schedule: @fortnightly is not a macro; use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @reboot or @every DURATION
    imported  20  logrotate  5 4 * * sun  (America/New_York)
    \(verb) 8 tasks from \(file) (3 lines skipped)

    """
  }

  @Test("the example crontab imports its valid lines and reports every line, exiting 0")
  func exampleReport() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let result = try scratch.run([Self.example])
    #expect(result.stdout == Self.report(file: Self.example))
    #expect(result.stderr == "")
    #expect(result.status == 0)
  }

  @Test("the imported tasks run their command through /bin/sh, in their zone, with the env and provenance")
  func exampleTasks() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    #expect(try scratch.run([Self.example]).status == 0)
    let store = try Store(path: scratch.db)
    let tasks = try store.tasks()
    #expect(tasks.map(\.name) == ["backup-db", "backup-db-2", "cd", "date", "logrotate", "send-report", "send-report-2", "warm-cache"])
    let backup = try store.task(named: "backup-db")
    #expect(backup.schedule == "30 2 * * *")
    #expect(backup.timeZone == nil)
    #expect(backup.body == Crontab.luaBody(running: "/usr/local/bin/backup-db --full > /var/log/backup-db.log 2>&1"))
    #expect(backup.capabilities == ["exec"])
    #expect(backup.tags == ["imported"])
    #expect(backup.enabled)
    #expect(backup.description == "imported from \(Self.example):7")
    #expect(backup.config == #"{"env":{"MAILTO":"ops@example.com","PATH":"/usr/local/bin:/usr/bin:/bin","SHELL":"/bin/bash"}}"#)
    #expect(backup.nextRunAt != nil)
    let date = try store.task(named: "date")
    #expect(date.timeZone == "Europe/Berlin")
    #expect(date.body == Crontab.luaBody(running: "date +%Y-%m > /var/tmp/month-stamp"))
    #expect(try store.task(named: "send-report-2").timeZone == "America/New_York")
    #expect(try store.task(named: "warm-cache").schedule == "@reboot")
    #expect(try store.auditTrail(of: "logrotate").map(\.action) == ["import"])
  }

  @Test("--json prints the report as one object with counts and a record per line")
  func json() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let result = try scratch.run([Self.example, "--json"])
    #expect(result.status == 0)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["file", "dryRun", "imported", "skipped", "lines"])
    #expect(object["imported"] as? Int == 8)
    #expect(object["skipped"] as? Int == 3)
    #expect(object["dryRun"] as? Bool == false)
    let lines = try #require(object["lines"] as? [[String: Any]])
    #expect(lines.map { $0["line"] as? Int } == [2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20])
    let date = try #require(lines.first { $0["line"] as? Int == 13 })
    #expect(date["kind"] as? String == "imported")
    #expect(date["task"] as? String == "date")
    #expect(date["schedule"] as? String == "0 0 1 * *")
    #expect(date["timeZone"] as? String == "Europe/Berlin")
    #expect(date["command"] as? String == "date +%Y-%m > /var/tmp/month-stamp")
    #expect((date["warnings"] as? [String])?.count == 1)
    let mailto = try #require(lines.first { $0["line"] as? Int == 3 })
    #expect(mailto["kind"] as? String == "env")
    #expect(mailto["name"] as? String == "MAILTO")
    #expect(mailto["value"] as? String == "ops@example.com")
    let skipped = try #require(lines.first { $0["line"] as? Int == 17 })
    #expect(skipped["kind"] as? String == "skipped")
    #expect(skipped["reason"] as? String == "day-of-month: 32 is out of range 1-31")
  }

  @Test("--dry-run reports the same and writes nothing, not even a new database")
  func dryRun() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let result = try scratch.run([Self.example, "--dry-run"])
    #expect(result.stdout == Self.report(file: Self.example, verb: "would import"))
    #expect(result.status == 0)
    #expect(!FileManager.default.fileExists(atPath: scratch.db))
  }

  @Test("names avoid existing tasks, a dry run included, and a second import adds a second set")
  func existingNames() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let crontab = try scratch.file("tab", "0 1 * * * /bin/backup-db\n0 2 * * * backup-db.sh\n")
    #expect(try scratch.run([crontab]).status == 0)
    let dry = try scratch.run([crontab, "--dry-run"])
    #expect(dry.stdout.contains("imported  1  backup-db-3  0 1 * * *\nimported  2  backup-db-4  0 2 * * *\n"))
    #expect(try Store(path: scratch.db).tasks().count == 2)
    #expect(try scratch.run([crontab]).status == 0)
    #expect(try Store(path: scratch.db).tasks().map(\.name) == ["backup-db", "backup-db-2", "backup-db-3", "backup-db-4"])
  }

  @Test("--prefix starts every name; --system reads the user column into the config")
  func prefixAndSystem() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let crontab = try scratch.file("crontab", """
      SHELL=/bin/sh
      PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin
      17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly
      47 6\t* * 7\troot\ttest -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.weekly )
      @reboot www-data /srv/app/start

      """)
    let result = try scratch.run([crontab, "--system", "--prefix", "etc"])
    #expect(result.status == 0)
    #expect(result.stdout.hasSuffix("imported  3  etc-cd  17 * * * *\nimported  4  etc-test  47 6 * * 7\nimported  5  etc-start  @reboot\nimported 3 tasks from \(crontab) (0 lines skipped)\n"))
    let store = try Store(path: scratch.db)
    let start = try store.task(named: "etc-start")
    #expect(start.config == #"{"env":{"PATH":"/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin","SHELL":"/bin/sh"},"user":"www-data"}"#)
    #expect(try store.task(named: "etc-cd").body == Crontab.luaBody(running: "cd / && run-parts --report /etc/cron.hourly"))
  }

  @Test("a command that holds ]] and ]=] gets a long bracket none of them closes")
  func injectionSafe() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let crontab = try scratch.file("tab", "0 0 * * * echo ']]' ']=]' ]]; os.exit(1) --\n")
    #expect(try scratch.run([crontab]).status == 0)
    let task = try Store(path: scratch.db).task(named: "echo")
    #expect(task.body.hasPrefix(#"local r = exec({"/bin/sh", "-c", [==[echo ']]' ']=]' ]]; os.exit(1) --]==]}, {env = task.config.env})"#))
  }

  @Test("nothing valid, or a file that cannot be read, exits 2 without creating the database", arguments: [
    ("comments.tab", "# only a comment\nMAILTO=x\n\n", "env  2  MAILTO=x\nimported 0 tasks from {file} (0 lines skipped)\n",
     "cronpp: error: nothing to import: {file} has no valid crontab entry\n"),
    ("bad.tab", "0 0 32 * * x\n", "skipped  1  day-of-month: 32 is out of range 1-31\nimported 0 tasks from {file} (1 line skipped)\n",
     "cronpp: error: nothing to import: {file} has no valid crontab entry\n"),
    ("missing.tab", nil, "", "cronpp: error: cannot read {file}: no such file\n"),
  ] as [(String, String?, String, String)])
  func nothingToImport(name: String, text: String?, stdout: String, stderr: String) throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let path = try text.map { try scratch.file(name, $0) } ?? scratch.directory.appendingPathComponent(name).path
    let result = try scratch.run([path])
    #expect(result.status == 2)
    #expect(result.stdout == stdout.replacingOccurrences(of: "{file}", with: path))
    #expect(result.stderr == stderr.replacingOccurrences(of: "{file}", with: path))
    #expect(!FileManager.default.fileExists(atPath: scratch.db))
  }

  @Test("a directory, a file that is not UTF-8 and a bad --prefix are usage errors")
  func usageErrors() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let directory = try scratch.run([scratch.directory.path])
    #expect(directory.status == 2)
    #expect(directory.stderr == "cronpp: error: cannot read \(scratch.directory.path): it is a directory\n")
    let binary = try scratch.file("latin1.tab", Data([0x30, 0x20, 0x30, 0x20, 0x2A, 0x20, 0x2A, 0x20, 0x2A, 0x20, 0xE9, 0x0A]))
    let latin1 = try scratch.run([binary])
    #expect(latin1.status == 2)
    #expect(latin1.stderr == "cronpp: error: cannot read \(binary) as UTF-8 text\n")
    let prefix = try scratch.run([Self.example, "--prefix", "Bad Prefix"])
    #expect(prefix.status == 2)
    #expect(prefix.stderr.hasPrefix("cronpp: error: --prefix: 'Bad Prefix' is not a name prefix"))
    #expect(!FileManager.default.fileExists(atPath: scratch.db))
  }

  @Test("a user crontab read with --system is refused with a hint")
  func systemHint() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    let crontab = try scratch.file("tab", "0 5 * * * backup\n")
    let result = try scratch.run([crontab, "--system"])
    #expect(result.status == 2)
    #expect(result.stderr == "cronpp: error: nothing to import: \(crontab) has no valid crontab entry\nhint: a user crontab (crontab -l) has no user column: leave out --system\n")
  }

  @Test("a database that is not SQLite is an environment problem (exit 3)")
  func notADatabase() throws {
    let scratch = try Scratch()
    defer { scratch.cleanup() }
    try Data("not a database, just text".utf8).write(to: URL(fileURLWithPath: scratch.db))
    let result = try scratch.run([Self.example])
    #expect(result.status == 3)
    #expect(result.stdout == "")
  }
}
