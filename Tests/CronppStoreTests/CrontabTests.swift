import CronppSchedule
import CronppStore
import Foundation
import Testing

/// The lines of a parsed crontab as short strings, so a case table can say what each became.
private func summary(_ crontab: Crontab) -> [String] {
  crontab.lines.map { line in
    switch line {
    case .entry(let e): "\(e.line) entry \(e.schedule) | \(e.command)" + (e.timeZone.map { " @ \($0)" } ?? "")
    case .variable(let v): "\(v.line) var \(v.name)=\(v.value)" + v.warnings.map { " ! \($0)" }.joined()
    case .rejected(let n, let problem): "\(n) rejected \(problem)"
    }
  }
}

/// Namespace, so `--filter CrontabTests` runs every suite below.
enum CrontabTests {}

extension CrontabTests {
  @Suite("crontab parsing")
  struct Parsing {
    @Test("entries, variables and macros are read in order; comments and blank lines are skipped")
    func lines() {
      let crontab = Crontab(parsing: """
        # m h dom mon dow command
        MAILTO=ops@example.com

        30 2 * * * /usr/local/bin/backup-db --full
          @reboot   /opt/warm-cache.sh
        @every 90m poll-queue
        \t0\t*/6\t*\t*\tMON-FRI\tsync # a trailing comment goes to the shell
        """)
      #expect(summary(crontab) == [
        "2 var MAILTO=ops@example.com",
        "4 entry 30 2 * * * | /usr/local/bin/backup-db --full",
        "5 entry @reboot | /opt/warm-cache.sh",
        "6 entry @every 90m | poll-queue",
        "7 entry 0 */6 * * MON-FRI | sync # a trailing comment goes to the shell",
      ])
    }

    @Test("a variable line may have blanks around = and quotes around its value", arguments: [
      ("PATH=/usr/bin:/bin", "PATH", "/usr/bin:/bin"),
      ("MAILTO = ops@example.com  ", "MAILTO", "ops@example.com"),
      ("MAILTO=\"\"", "MAILTO", ""),
      ("GREETING='hello world'", "GREETING", "hello world"),
      ("GREETING=\"it's\"", "GREETING", "it's"),
      ("HALF=\"open", "HALF", "\"open"),
      ("_UNDERSCORE=x=y", "_UNDERSCORE", "x=y"),
      ("EMPTY=", "EMPTY", ""),
    ])
    func variables(line: String, name: String, value: String) {
      #expect(summary(Crontab(parsing: line)) == ["1 var \(name)=\(value)"])
    }

    @Test("lines that start like a schedule are never read as variables", arguments: [
      "H * * * * FOO=bar run",
      "0 5 * * * X=1 run",
      "@daily A=b run",
    ])
    func notVariables(line: String) {
      #expect(Crontab(parsing: line).entries.count == 1)
    }

    @Test("CRON_TZ and TZ set the zone of the lines below them; CRON_TZ wins; empty unsets")
    func zones() {
      let crontab = Crontab(parsing: """
        0 1 * * * a
        TZ=Asia/Tokyo
        0 2 * * * b
        CRON_TZ="Europe/Berlin"
        0 3 * * * c
        TZ=America/New_York
        0 4 * * * d
        CRON_TZ=
        0 5 * * * e
        """)
      #expect(crontab.entries.map(\.timeZone) == [nil, "Asia/Tokyo", "Europe/Berlin", "Europe/Berlin", "America/New_York"])
    }

    @Test("an unknown zone is skipped, and so is every entry under it until a valid zone is set")
    func unknownZone() {
      let crontab = Crontab(parsing: """
        CRON_TZ=Europe/Berlin
        CRON_TZ=Mars/Olympus
        0 3 * * * under-mars
        CRON_TZ=UTC
        0 4 * * * fine
        """)
      #expect(summary(crontab) == [
        "1 var CRON_TZ=Europe/Berlin",
        "2 rejected CRON_TZ: Mars/Olympus is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)",
        "3 rejected CRON_TZ=Mars/Olympus on line 2 is not a known time zone, so this line's zone is unknown",
        "4 var CRON_TZ=UTC",
        "5 entry 0 4 * * * | fine @ UTC",
      ])
    }

    @Test("each entry gets the variables set above it, TZ included and CRON_TZ not")
    func environment() throws {
      let crontab = Crontab(parsing: """
        SHELL=/bin/sh
        0 1 * * * first
        PATH=/usr/bin
        CRON_TZ=UTC
        TZ=Asia/Tokyo
        PATH=/opt/bin:/usr/bin
        0 2 * * * second
        """)
      let entries = crontab.entries
      try #require(entries.count == 2)
      #expect(entries[0].environment == ["SHELL": "/bin/sh"])
      #expect(entries[1].environment == ["SHELL": "/bin/sh", "PATH": "/opt/bin:/usr/bin", "TZ": "Asia/Tokyo"])
      #expect(entries[1].timeZone == "UTC")
    }

    @Test("a SHELL other than /bin/sh is reported with a warning")
    func shellWarning() {
      #expect(summary(Crontab(parsing: "SHELL=/bin/bash\nSHELL=/bin/sh")) == [
        "1 var SHELL=/bin/bash ! SHELL=/bin/bash is kept in each task's config, but imported commands run with /bin/sh",
        "2 var SHELL=/bin/sh",
      ])
    }

    @Test("an unescaped % warns and the command is kept verbatim", arguments: [
      (#"date +%Y-%m-%d > /tmp/stamp"#, true),
      (#"date +\%Y-\%m-\%d > /tmp/stamp"#, false),
      (#"printf 'a\\%b'"#, true),
      (#"echo 100\% done"#, false),
      ("echo no percent here", false),
    ])
    func percent(command: String, warns: Bool) throws {
      let entry = try #require(Crontab(parsing: "0 0 * * * " + command).entries.first)
      #expect(entry.command == command)
      #expect(entry.warnings == (warns ? [.percentSign] : []))
    }

    @Test("an invalid schedule is skipped with its line number and the schedule error; the others are kept")
    func invalidSchedules() {
      let crontab = Crontab(parsing: """
        0 0 32 * * a
        0 0 30 2 * b
        0 9 * * MON-FRY c
        @fortnightly d
        */15 * * * e
        @daily
        0 6 * * * good
        """)
      #expect(summary(crontab) == [
        "1 rejected day-of-month: 32 is out of range 1-31",
        "2 rejected day-of-month: 30 never falls in month 2, so the schedule would never fire",
        "3 rejected day-of-week: FRY is not a weekday name (SUN-SAT) or number (0-7)",
        "4 rejected schedule: @fortnightly is not a macro; use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @reboot or @every DURATION",
        "5 rejected expected 5 schedule fields (or a macro such as @daily) and then a command",
        "6 rejected expected 5 schedule fields (or a macro such as @daily) and then a command",
        "7 entry 0 6 * * * | good",
      ])
    }

    @Test("a system crontab has a user between the schedule and the command")
    func systemFormat() throws {
      let crontab = Crontab(parsing: """
        17 * * * * root cd / && run-parts --report /etc/cron.hourly
        @reboot www-data /srv/start
        0 0 * * * lonely
        """, format: .system)
      let entries = crontab.entries
      try #require(entries.count == 2)
      #expect(entries[0].user == "root")
      #expect(entries[0].command == "cd / && run-parts --report /etc/cron.hourly")
      #expect(entries[1].user == "www-data")
      #expect(entries[1].schedule == "@reboot")
      #expect(summary(crontab).last == "3 rejected expected 5 schedule fields (or a macro such as @daily), a user and then a command (--system)")
    }

    @Test("CRLF line ends are dropped; a carriage return or NUL inside a command is refused")
    func controlCharacters() {
      let crontab = Crontab(parsing: "A=b\r\n0 1 * * * one\r\n0 2 * * * two\rthree\n0 3 * * * nul\0byte\n")
      #expect(summary(crontab) == [
        "1 var A=b",
        "2 entry 0 1 * * * | one",
        "3 rejected the command contains a carriage return, which cannot be kept as written",
        "4 rejected the command contains a NUL byte, which cannot be kept as written",
      ])
    }

    @Test("the command keeps everything after the blanks that end the schedule, trailing blanks included")
    func verbatimCommand() throws {
      let entry = try #require(Crontab(parsing: "0 0 * * *    echo  'a  b'  \\  ").entries.first)
      #expect(entry.command == "echo  'a  b'  \\  ")
    }
  }

  @Suite("crontab task names")
  struct Naming {
    @Test("a name is the slug of the command's first word's basename", arguments: [
      ("/usr/local/bin/backup-db --full", "backup-db"),
      ("backup.sh", "backup"),
      ("./bin/Send_Report.PY --to x", "send-report"),
      ("LANG=C FOO=bar /opt/sync-all now", "sync-all"),
      ("[ -x /usr/bin/foo ] && foo", "task"),
      ("(cd /srv && make)", "cd"),
      (".hidden", "hidden"),
      ("/usr/bin/\u{00E9}t\u{00E9}", "t"),
    ])
    func slug(command: String, name: String) {
      #expect(Crontab.TaskNamer.slug(of: command) == name)
    }

    @Test("names are unique within the file and against existing tasks, with -2, -3...")
    func unique() {
      var namer = Crontab.TaskNamer(prefix: nil, taken: ["backup-db", "report-2"])
      let names = ["backup-db", "backup-db --x", "report", "report", "report"].map { namer.name(for: $0) }
      #expect(names == ["backup-db-2", "backup-db-3", "report", "report-3", "report-4"])
    }

    @Test("a prefix is joined with - unless it ends in a separator", arguments: [
      ("legacy", "legacy-backup"),
      ("legacy-", "legacy-backup"),
      ("host1.", "host1.backup"),
    ])
    func prefix(prefix: String, name: String) {
      var namer = Crontab.TaskNamer(prefix: prefix, taken: [])
      #expect(namer.name(for: "backup.sh") == name)
    }

    @Test("prefixes must be short slugs", arguments: [("ok", true), ("a.b_c-", true), ("", false), ("-x", false), ("Upper", false), (String(repeating: "p", count: 33), false)])
    func validPrefixes(prefix: String, valid: Bool) {
      #expect(Crontab.TaskNamer.isValid(prefix: prefix) == valid)
    }

    @Test("long names stay valid task names, suffix included")
    func longNames() throws {
      var namer = Crontab.TaskNamer(prefix: String(repeating: "p", count: 32), taken: [])
      let command = "/bin/" + String(repeating: "a-", count: 60) + "end"
      for _ in 0..<12 {
        let name = namer.name(for: command)
        #expect(name.utf8.count <= 64)
        try Store.validate(name: name)
      }
    }
  }

  @Suite("crontab commands as Lua")
  struct Lua {
    @Test("the long bracket level is the lowest that nothing in the command can close", arguments: [
      ("echo hi", "[[echo hi]]"),
      ("a]]b", "[=[a]]b]=]"),
      ("a]=]b]]", "[==[a]=]b]]]==]"),
      ("x]", "[=[x]]=]"),
      ("x]=", "[[x]=]]"),
      ("x]=]]==]]===]", "[====[x]=]]==]]===]]====]"),
      ("]", "[=[]]=]"),
      ("", "[[]]"),
      ("\nstarts with a newline", "[[\n\nstarts with a newline]]"),
      ("a carriage return\r cannot be carried", nil),
    ] as [(String, String?)])
    func levels(command: String, literal: String?) {
      #expect(Crontab.luaLongString(command) == literal)
    }

    @Test("the body runs the command through /bin/sh")
    func body() {
      #expect(Crontab.luaBody(running: "backup-db --full") == """
        local r = exec({"/bin/sh", "-c", [[backup-db --full]]}, {env = task.config.env})
        if r.stdout ~= "" then print(r.stdout) end
        if r.stderr ~= "" then warn(r.stderr) end
        if r.code ~= 0 then error("exit status " .. r.code, 0) end
        """)
      #expect(Crontab.luaBody(running: "a\rb") == nil)
    }

    static let nasty = [
      "echo ]]; os.exit(1) --",
      "echo ]=]; error('x') --[[",
      "echo ]==] ]=] ]] ]",
      "printf '%s' \"]]\" ']=' ]",
      "echo ]\u{0301}]\u{0301}",
      // As Characters, "]" and a combining mark are one, hiding the "]]" Lua sees.
      "echo ]]\u{0301}; os.exit(1) --",
      "\n]]\n",
      "tab\there \"quotes\" 'single' \\ backslash",
      "ends with ]==",
    ]

    @Test("random commands built from brackets and = read back exactly, by Lua's rules")
    func randomRoundTrip() throws {
      // A fixed-seed LCG, so a failing case comes back on every run.
      var state: UInt64 = 2026
      func next() -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33)
      }
      let alphabet: [String] = ["]", "=", "[", "a", " ", "\n", "]]", "]=", "\u{0301}", "\\", "\""]
      for _ in 0..<3000 {
        let command = (0..<next() % 14).map { _ in alphabet[next() % alphabet.count] }.joined()
        let literal = try #require(Crontab.luaLongString(command))
        #expect(LongBracket.read(literal) == Array(command.utf8), "\(command.debugDescription) as \(literal.debugDescription)")
      }
      for command in Self.nasty {
        #expect(Crontab.luaLongString(command).flatMap(LongBracket.read) == Array(command.utf8))
      }
    }

    static let lua = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
      .map { URL(fileURLWithPath: String($0)).appendingPathComponent("lua5.4") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    @Test("lua5.4 runs the body with exactly the command as /bin/sh -c's argument", .enabled(if: lua != nil), arguments: nasty)
    func luaRoundTrip(command: String) throws {
      let lua = try #require(Self.lua)
      let body = try #require(Crontab.luaBody(running: command))
      let process = Process()
      process.executableURL = lua
      let fake = "task = {config = {}} function exec(argv) io.write(argv[1], '|', argv[2], '|', argv[3], '|', #argv) return {code = 0, stdout = '', stderr = ''} end"
      process.arguments = ["-e", fake, "-e", body]
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      let output = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      #expect(process.terminationStatus == 0)
      #expect(Array(output) == Array("/bin/sh|-c|\(command)|3".utf8))
    }
  }

  /// Reads one Lua long-bracket literal as Lua's lexer does (llex.c, read_long_string): the
  /// level from the opening bracket, a first newline dropped, the content up to the first
  /// closing bracket of that level. `nil` unless the literal ends right there.
  enum LongBracket {
    static func read(_ literal: String) -> [UInt8]? {
      let bytes = Array(literal.utf8), bracket = UInt8(ascii: "["), equals = UInt8(ascii: "=")
      let level = bytes.dropFirst().prefix { $0 == equals }.count
      guard bytes.count >= level + 2, bytes[0] == bracket, bytes[level + 1] == bracket else { return nil }
      var start = level + 2
      if start < bytes.count, bytes[start] == UInt8(ascii: "\n") { start += 1 }
      // The first `]=...=]` of the level closes: a failed try consumes only `]` and `=`s.
      let close = [UInt8(ascii: "]")] + Array(repeating: equals, count: level) + [UInt8(ascii: "]")]
      guard bytes.count - close.count >= start,
        let end = (start...(bytes.count - close.count)).first(where: { bytes[$0..<($0 + close.count)].elementsEqual(close) })
      else { return nil }
      return end + close.count == bytes.count ? Array(bytes[start..<end]) : nil
    }
  }

  @Suite("crontab import")
  struct Import {
    static let text = """
      MAILTO=ops@example.com
      CRON_TZ=Europe/Berlin
      30 2 * * * /usr/local/bin/backup-db --full
      0 0 32 * * broken
      @reboot /usr/local/bin/backup-db --warm
      """

    @Test("each entry becomes a task with its schedule, zone, body, grant, tag, description and env")
    func tasks() throws {
      let plan = CrontabImport(Crontab(parsing: Self.text), file: "alice.crontab", prefix: nil, existingNames: [], now: TemporaryStore.now)
      #expect(plan.skippedCount == 1)
      let tasks = plan.tasks
      try #require(tasks.count == 2)
      #expect(tasks.map(\.name) == ["backup-db", "backup-db-2"])
      #expect(tasks[0].schedule == "30 2 * * *")
      #expect(tasks[0].timeZone == "Europe/Berlin")
      #expect(tasks[0].body == Crontab.luaBody(running: "/usr/local/bin/backup-db --full"))
      #expect(tasks[0].capabilities == ["exec"])
      #expect(tasks[0].tags == ["imported"])
      #expect(tasks[0].description == "imported from alice.crontab:3")
      #expect(tasks[0].config == #"{"env":{"MAILTO":"ops@example.com"}}"#)
      #expect(tasks[0].enabled)
      #expect(tasks[1].schedule == "@reboot")
      #expect(tasks[1].description == "imported from alice.crontab:5")
    }

    @Test("the tasks are created in one transaction, audited as import")
    func createAll() throws {
      let temp = try TemporaryStore()
      defer { temp.cleanup() }
      let plan = CrontabImport(Crontab(parsing: Self.text), file: "c", prefix: nil, existingNames: [], now: TemporaryStore.now)
      let created = try temp.store.create(plan.tasks, actor: "alice", now: TemporaryStore.now)
      #expect(created.allSatisfy { $0.id != nil && $0.createdAt == TemporaryStore.now })
      #expect(try temp.store.tasks().map(\.name) == ["backup-db", "backup-db-2"])
      let trail = try temp.store.auditTrail(of: "backup-db")
      #expect(trail.map(\.action) == ["import"])
      #expect(trail.first?.actor == "alice")
      // 2026-05-28T20:26:40Z; 02:30 in Berlin (+02:00) next is 2026-05-29T00:30:00Z.
      #expect(try temp.store.task(named: "backup-db").nextRunAt == Date(timeIntervalSince1970: 1_780_014_600))
    }

    @Test("one taken name fails the whole batch and writes nothing")
    func allOrNothing() throws {
      let temp = try TemporaryStore()
      defer { temp.cleanup() }
      let plan = CrontabImport(Crontab(parsing: Self.text), file: "c", prefix: nil, existingNames: [], now: TemporaryStore.now)
      try temp.add("backup-db-2")
      #expect(throws: StoreError.taskExists("backup-db-2")) { try temp.store.create(plan.tasks, actor: "alice") }
      #expect(try temp.store.tasks().map(\.name) == ["backup-db-2"])
      #expect(try temp.store.auditTrail(of: "backup-db").isEmpty)
    }
  }
}
