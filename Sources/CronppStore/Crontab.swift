import CronppSchedule
import Foundation

/// A crontab read line by line into entries (a schedule and a command), variable settings and
/// lines that cannot be used, each with its 1-based line number. Pure: text in, values out.
/// What each part becomes in cronpp is set out once, in man/cronpp-import-crontab.1.
public struct Crontab: Sendable, Equatable {
  /// A user crontab (`crontab -e`: schedule, command) or a system one (`/etc/crontab`,
  /// `/etc/cron.d`: schedule, user, command). Nothing in a line tells them apart reliably,
  /// so the caller says which (`--system`).
  public enum Format: Sendable, Equatable { case user, system }

  /// A line that becomes a task.
  public struct Entry: Sendable, Equatable {
    public let line: Int
    /// The schedule fields as written, joined by one space (`0 2 * * *`, `@daily`).
    public let schedule: String
    /// The zone the last `CRON_TZ` (else `TZ`) above the line set; `nil` means the host's.
    public let timeZone: String?
    /// The user column of a system crontab.
    public let user: String?
    /// The rest of the line after the blanks that end the schedule (or user), as written.
    public let command: String
    /// The variables set above the line, all but `CRON_TZ`.
    public let environment: [String: String]
    public let warnings: [CrontabWarning]
  }

  /// A `NAME=value` line; it applies to the lines below it.
  public struct Variable: Sendable, Equatable {
    public let line: Int
    public let name: String
    /// Without the quotes that enclosed it, if any.
    public let value: String
    public let warnings: [CrontabWarning]
  }

  public enum Line: Sendable, Equatable {
    case entry(Entry)
    case variable(Variable)
    case rejected(line: Int, problem: CrontabProblem)
  }

  /// Every line but blank lines and comments, in file order.
  public let lines: [Line]

  public var entries: [Entry] { lines.compactMap { if case .entry(let e) = $0 { e } else { nil } } }

  public init(parsing text: String, format: Format = .user) {
    var lines: [Line] = []
    var environment: [String: String] = [:]
    var zones = ZoneSettings()
    // Split on the scalar "\n" (as Characters, "\r\n" is one and would not split), then drop
    // the "\r" of a CRLF file.
    for (index, raw) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      var text = Substring(raw)
      if text.unicodeScalars.last == "\r" { text = Substring(text.unicodeScalars.dropLast()) }
      text = text.drop(while: Self.isBlank)
      if text.isEmpty || text.hasPrefix("#") { continue }
      if let (name, value) = Self.assignment(text) {
        lines.append(zones.set(name, to: value, line: number, environment: &environment))
        continue
      }
      lines.append(Self.entry(text, line: number, format: format, zones: zones, environment: environment))
    }
    self.lines = lines
  }

  static func isBlank(_ c: Character) -> Bool { c == " " || c == "\t" }

  /// `NAME=value`, `NAME = value`, `NAME="value"`: a name of ASCII letters, digits and `_`
  /// not starting with a digit, so no schedule line (digits, `*`, `@`, `H ...`) reads as one.
  static func assignment(_ text: Substring) -> (name: String, value: String)? {
    let name = text.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    guard let first = name.first, !first.isNumber else { return nil }
    let rest = text[name.endIndex...].drop(while: isBlank)
    guard rest.first == "=" else { return nil }
    var value = rest.dropFirst().drop(while: isBlank)
    while let last = value.last, isBlank(last) { value = value.dropLast() }
    if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
      value = value.dropFirst().dropLast()
    }
    return (String(name), String(value))
  }

  private static func entry(_ text: Substring, line: Int, format: Format, zones: ZoneSettings, environment: [String: String]) -> Line {
    let first = text.prefix { !isBlank($0) }
    // `@every DURATION` is cronpp's, not cron's, but reads the same way.
    let scheduleWords = first.hasPrefix("@") ? (first.lowercased() == "@every" ? 2 : 1) : 5
    let wanted = scheduleWords + (format == .system ? 1 : 0)
    let (words, command) = leadingWords(text, count: wanted)
    guard words.count == wanted, !command.isEmpty else { return .rejected(line: line, problem: .noCommand(format)) }
    let schedule = words.prefix(scheduleWords).joined(separator: " ")
    do {
      _ = try Schedule(schedule)
    } catch {
      return .rejected(line: line, problem: .schedule(error))
    }
    let zone: String?
    switch zones.effective {
    case .unset: zone = nil
    case .valid(let name): zone = name
    case .invalid(let variable, let name, let at):
      return .rejected(line: line, problem: .underUnknownTimeZone(variable: variable, zone: name, line: at))
    }
    if command.unicodeScalars.contains("\r") { return .rejected(line: line, problem: .unrepresentable("a carriage return")) }
    if command.unicodeScalars.contains("\0") { return .rejected(line: line, problem: .unrepresentable("a NUL byte")) }
    return .entry(Entry(
      line: line, schedule: schedule, timeZone: zone, user: format == .system ? String(words[scheduleWords]) : nil,
      command: String(command), environment: environment, warnings: hasUnescapedPercent(command) ? [.percentSign] : []))
  }

  /// The first `count` blank-separated words and what follows the blanks after them.
  static func leadingWords(_ text: Substring, count: Int) -> (words: [Substring], rest: Substring) {
    var words: [Substring] = []
    var rest = text.drop(while: isBlank)
    while words.count < count, !rest.isEmpty {
      let word = rest.prefix { !isBlank($0) }
      words.append(word)
      rest = rest[word.endIndex...].drop(while: isBlank)
    }
    return (words, rest)
  }

  /// Cron turns a `%` not preceded by a backslash into a newline and sends what follows as
  /// standard input; `\%` is a literal `%`.
  static func hasUnescapedPercent(_ command: Substring) -> Bool {
    var escaped = false
    for c in command.unicodeScalars {
      if c == "%" && !escaped { return true }
      escaped = c == "\\" && !escaped
    }
    return false
  }

  /// `CRON_TZ` and `TZ` as set so far; `CRON_TZ` wins when both are set, as in cronie.
  private struct ZoneSettings {
    enum Setting: Equatable {
      case unset
      case valid(String)
      case invalid(variable: String, zone: String, line: Int)
    }

    var cronTZ = Setting.unset, tz = Setting.unset
    var effective: Setting { cronTZ == .unset ? tz : cronTZ }

    /// Applies a variable line: zones are checked, `CRON_TZ` stays out of the environment.
    mutating func set(_ name: String, to value: String, line: Int, environment: inout [String: String]) -> Line {
      var warnings: [CrontabWarning] = []
      switch name {
      case "CRON_TZ", "TZ":
        let setting: Setting =
          value.isEmpty ? .unset : TimeZone(identifier: value) == nil ? .invalid(variable: name, zone: value, line: line) : .valid(value)
        if name == "CRON_TZ" { cronTZ = setting } else { tz = setting }
        if case .invalid = setting { return .rejected(line: line, problem: .unknownTimeZone(variable: name, zone: value)) }
      case "SHELL" where value != "/bin/sh":
        warnings.append(.shellIgnored(value))
      default:
        break
      }
      if name != "CRON_TZ" { environment[name] = value }
      return .variable(Variable(line: line, name: name, value: value, warnings: warnings))
    }
  }
}

/// Why a crontab line was not imported, worded once for the report.
public enum CrontabProblem: Error, Equatable, Sendable, CustomStringConvertible {
  case schedule(ScheduleError)
  /// Too few words for the schedule (and, in a system crontab, the user) and a command.
  case noCommand(Crontab.Format)
  /// A `CRON_TZ` or `TZ` line naming a zone that does not exist.
  case unknownTimeZone(variable: String, zone: String)
  /// An entry below such a line: importing it in another zone would fire at the wrong times.
  case underUnknownTimeZone(variable: String, zone: String, line: Int)
  /// A character the command cannot keep as written (`a carriage return`, `a NUL byte`).
  case unrepresentable(String)
  /// A setting of the task the line would become was refused.
  case setting(String)

  public var description: String {
    switch self {
    case .schedule(let error): error.description
    case .noCommand(.user): "expected 5 schedule fields (or a macro such as @daily) and then a command"
    case .noCommand(.system): "expected 5 schedule fields (or a macro such as @daily), a user and then a command (--system)"
    case .unknownTimeZone(let variable, let zone):
      "\(variable): \(zone) is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)"
    case .underUnknownTimeZone(let variable, let zone, let line):
      "\(variable)=\(zone) on line \(line) is not a known time zone, so this line's zone is unknown"
    case .unrepresentable(let what): "the command contains \(what), which cannot be kept as written"
    case .setting(let message): message
    }
  }
}

/// Something about an imported line that cronpp does differently from cron.
public enum CrontabWarning: Equatable, Sendable, CustomStringConvertible {
  /// An unescaped `%` in the command.
  case percentSign
  /// `SHELL` names a shell other than /bin/sh.
  case shellIgnored(String)

  public var description: String {
    switch self {
    case .percentSign:
      "unescaped %: cron would end the command there and send the rest as standard input; the command is kept as written, % included"
    case .shellIgnored(let shell):
      "SHELL=\(shell) is kept in each task's config, but imported commands run with /bin/sh"
    }
  }
}

extension Crontab {
  /// Task names for imported commands: the slug of the command's first word's basename
  /// (`/usr/local/bin/backup-db --full` -> `backup-db`), after `prefix`, with `-2`, `-3`...
  /// when the name is taken by an existing task or an earlier line.
  public struct TaskNamer: Sendable {
    private let prefix: String
    private var taken: Set<String>

    /// `prefix` must pass `isValid(prefix:)`.
    public init(prefix: String?, taken: Set<String>) {
      let prefix = prefix ?? ""
      self.prefix = prefix.isEmpty || "-_.".contains(prefix.last ?? "-") ? prefix : prefix + "-"
      self.taken = taken
    }

    /// 1-32 of `a-z 0-9 - _ .`, starting with a letter or digit.
    public static func isValid(prefix: String) -> Bool {
      (try? Store.validate(name: prefix)) != nil && prefix.utf8.count <= 32
    }

    public mutating func name(for command: String) -> String {
      // Room for the prefix and a "-NNNNN" suffix within the 64 bytes a name may have.
      let base = Self.trimmed(String((prefix + Self.slug(of: command)).prefix(57)))
      var name = base
      var n = 1
      while taken.contains(name) {
        n += 1
        name = "\(base)-\(n)"
      }
      taken.insert(name)
      return name
    }

    /// The slug of the first word's basename, without an extension (`backup.sh` -> `backup`):
    /// lowercase ASCII letters and digits, other runs become one `-`; `task` when none is left.
    public static func slug(of command: String) -> String {
      let words = command.split(whereSeparator: Crontab.isBlank)
      // `FOO=bar cmd` runs `cmd`.
      let first = words.first { Crontab.assignment($0) == nil } ?? ""
      var base = first.split(separator: "/").last ?? ""
      if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = base[..<dot] }
      var slug = ""
      for c in base.lowercased() {
        if c.isASCII && (c.isLetter || c.isNumber) {
          slug.append(c)
        } else if !slug.isEmpty && slug.last != "-" {
          slug.append("-")
        }
      }
      slug = trimmed(String(slug.prefix(40)))
      return slug.isEmpty ? "task" : slug
    }

    private static func trimmed(_ name: String) -> String {
      var name = Substring(name)
      while let last = name.last, "-_.".contains(last) { name = name.dropLast() }
      return String(name)
    }
  }

  /// The Lua body of an imported task: `command` run through /bin/sh by the `exec` bridge
  /// with the variables the crontab set, its output logged, and a nonzero exit status
  /// failing the run, as cron would mail it. `nil` for a command with a carriage return,
  /// which a Lua long string cannot carry.
  public static func luaBody(running command: String) -> String? {
    luaLongString(command).map { literal in
      """
      local r = exec({"/bin/sh", "-c", \(literal)}, {env = task.config.env})
      if r.stdout ~= "" then print(r.stdout) end
      if r.stderr ~= "" then warn(r.stderr) end
      if r.code ~= 0 then error("exit status " .. r.code, 0) end
      """
    }
  }

  /// `text` as a Lua long-bracket literal that reads back as exactly `text`, byte for byte.
  /// The level (the count of `=`) is the lowest whose closing bracket `]=...=]` neither occurs
  /// in `text` nor forms with its end (`text` ending in `]=...=`). The search is over UTF-8
  /// bytes, as Lua reads them: as Characters, `]` and a combining mark are one and would hide
  /// a `]]`. Lua drops a newline right after the opening bracket, so one is added when `text`
  /// starts with one; it turns any `\r` into `\n`, so such text gets `nil`.
  public static func luaLongString(_ text: String) -> String? {
    let bytes = Array(text.utf8)
    guard !bytes.contains(UInt8(ascii: "\r")) else { return nil }
    var level = 0
    while true {
      let close = [UInt8(ascii: "]")] + Array(repeating: UInt8(ascii: "="), count: level) + [UInt8(ascii: "]")]
      if !bytes.containsRun(close) && !bytes.endsWithRun(close.dropLast()) { break }
      level += 1
    }
    let equals = String(repeating: "=", count: level)
    let newline = bytes.first == UInt8(ascii: "\n") ? "\n" : ""
    return "[\(equals)[\(newline)\(text)]\(equals)]"
  }
}

extension Array where Element == UInt8 {
  fileprivate func containsRun(_ pattern: [UInt8]) -> Bool {
    guard pattern.count <= count else { return false }
    return (0...(count - pattern.count)).contains { start in self[start..<(start + pattern.count)].elementsEqual(pattern) }
  }

  fileprivate func endsWithRun(_ suffix: ArraySlice<UInt8>) -> Bool {
    count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
  }
}
