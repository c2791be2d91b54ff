import CronppSchedule
import CronppStore
import Foundation

/// Columns of text fitted to a terminal width: columns that may shrink give up width,
/// widest first, and a cell that no longer fits ends in "…".
struct TextTable {
  struct Column {
    enum Alignment { case left, right }

    let header: String
    /// `nil`: the column never shrinks; otherwise the narrowest it may get.
    var minimumWidth: Int?
    var alignment: Alignment

    init(_ header: String, shrinksTo minimumWidth: Int? = nil, alignment: Alignment = .left) {
      (self.header, self.minimumWidth, self.alignment) = (header, minimumWidth, alignment)
    }
  }

  static let terminalWidth = 80

  let columns: [Column]
  var rows: [[String]] = []
  /// Spaces before every line (tables nested under a heading).
  var indent = 0

  init(_ columns: [Column], indent: Int = 0) {
    (self.columns, self.indent) = (columns, indent)
  }

  /// The header and the rows, lines without trailing blanks, each at most `width` characters.
  func rendered(width: Int = terminalWidth) -> String {
    let lines = ([columns.map(\.header)] + rows).map { $0.map(Self.oneLine) }
    let cellWidths = lines.map { $0.map(Self.width) }
    var widths = columns.indices.map { i in cellWidths.reduce(0) { max($0, $1[i]) } }
    let available = width - indent - 2 * (columns.count - 1)
    while widths.reduce(0, +) > available {
      let shrinkable = columns.indices.filter { i in columns[i].minimumWidth.map { widths[i] > max($0, 1) } ?? false }
      guard let widest = shrinkable.max(by: { widths[$0] < widths[$1] }) else { break }
      widths[widest] -= 1
    }
    var out = ""
    for (cells, cellWidths) in zip(lines, cellWidths) {
      var line = String(repeating: " ", count: indent)
      for (i, cell) in cells.enumerated() {
        let fits = cellWidths[i] <= widths[i]
        let text = fits ? cell : Self.truncate(cell, to: widths[i])
        let padding = String(repeating: " ", count: widths[i] - (fits ? cellWidths[i] : Self.width(text)))
        line += columns[i].alignment == .left ? text + padding : padding + text
        if i < cells.count - 1 { line += "  " }
      }
      while line.last == " " { line.removeLast() }
      out += line + "\n"
    }
    return out
  }

  /// Characters in `text`, counted fast for ASCII, which most cells are.
  static func width(_ text: String) -> Int {
    text.utf8.allSatisfy { $0 < 0x80 } ? text.utf8.count : text.count
  }

  /// The first line of `text`, ending in "…" when more lines follow; tabs as spaces.
  static func oneLine(_ text: String) -> String {
    // Most cells are one plain line; checking bytes first keeps 10,000-row tables fast.
    guard text.utf8.contains(where: { $0 < 0x20 }) else { return text }
    let line = text.firstIndex(where: \.isNewline).map { String(text[..<$0]) + "…" } ?? text
    return String(line.map { $0 == "\t" ? " " : $0 })
  }

  /// `line` cut to `width` characters, the last one "…" when anything was cut.
  static func truncate(_ line: String, to width: Int) -> String {
    guard line.count > width else { return line }
    guard width > 1 else { return String(repeating: "…", count: max(0, width)) }
    return String(line.prefix(width - 1)) + "…"
  }
}

/// Label-value lines for `show` and `logs --run`: labels padded to one column.
struct FieldList {
  private var fields: [(label: String, value: String)] = []

  mutating func add(_ label: String, _ value: String) { fields.append((label, value)) }

  func rendered(indent: Int = 0) -> String {
    let width = fields.map(\.label.count).max() ?? 0
    let pad = String(repeating: " ", count: indent)
    return fields.map { field in
      let label = field.label.padding(toLength: width + 2, withPad: " ", startingAt: 0)
      // A value of several lines keeps its later lines under the value column.
      let value = field.value.replacingOccurrences(of: "\n", with: "\n" + pad + String(repeating: " ", count: width + 2))
      return pad + label + value
    }.joined(separator: "\n") + "\n"
  }
}

/// How history values print in tables: compact times, durations and rates.
enum HistoryRendering {
  /// The largest unit only, floored: "45s ago", "3h ago", "in 2d"; for narrow table columns.
  static func compactRelative(_ date: Date, from now: Date) -> String {
    let seconds = Int(date.timeIntervalSince(now).rounded(.down))
    let magnitude = abs(seconds)
    let units = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
    let (name, size) = units.first { magnitude >= $0.1 } ?? ("s", 1)
    let text = "\(magnitude / size)\(name)"
    return seconds < 0 ? "\(text) ago" : "in \(text)"
  }

  /// "850ms", "12.3s", "4m 05s", "2h 10m".
  static func duration(_ seconds: Double) -> String {
    if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
    if seconds < 60 {
      let tenths = Int((seconds * 10).rounded())
      return tenths >= 600 ? "1m 00s" : "\(tenths / 10).\(tenths % 10)s"
    }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return "\(whole / 60)m \(twoDigits(whole % 60))s" }
    return "\(whole / 3600)h \(twoDigits(whole / 60 % 60))m"
  }

  /// A success rate as a whole percentage that never rounds to 100% or 0% unless it is.
  static func rate(_ rate: Double?) -> String {
    guard let rate else { return "-" }
    let percent = rate == 1 ? 100 : rate == 0 ? 0 : min(99, max(1, Int((rate * 100).rounded())))
    return "\(percent)%"
  }

  private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

  /// The zone a task's times print in: its own, else the host's.
  static func zone(of task: TaskRecord) -> TimeZone {
    task.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone.current
  }

  /// `schedule 2` for a retry's second attempt; the trigger alone otherwise.
  static func trigger(_ run: RunRecord) -> String {
    run.attempt > 1 ? "\(run.trigger.rawValue) \(run.attempt)" : run.trigger.rawValue
  }
}

/// Schedule descriptions for many tasks: parsing and describing once per distinct
/// schedule and zone, since 10,000 tasks tend to share a few dozen schedules. A schedule
/// using `H` depends on the task's name, so it is described per task.
struct ScheduleWords {
  private struct Key: Hashable {
    let schedule: String
    let zone: String?
  }

  private var cache: [Key: String?] = [:]

  mutating func words(for task: TaskRecord) -> String {
    let key = Key(schedule: task.schedule, zone: task.timeZone)
    if let cached = cache[key] { return cached ?? TaskOutput.scheduleWords(task) }
    let zone = task.timeZone.flatMap(TimeZone.init(identifier:))
    // `nil` marks a schedule whose words depend on the name (or that no longer parses).
    let words = (try? Schedule(task.schedule)).flatMap { $0.usesHash ? nil : $0.englishDescription(zone: zone) }
    cache[key] = .some(words)
    return words ?? TaskOutput.scheduleWords(task)
  }
}

extension HistoryRendering {
  /// An instant for JSON: RFC 3339 in UTC, as `TaskOutput.TaskJSON` prints them.
  static func utc(_ date: Date?) -> String? {
    date.map { LocalTime($0, in: utcZone).rfc3339 }
  }

  private static let utcZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current

  /// Whole seconds in the duration syntax the options take: "90s" as "1m30s", "600" as "10m".
  static func span(seconds: Double) -> String {
    var rest = Int(seconds.rounded())
    guard rest > 0 else { return "0s" }
    var text = ""
    for (name, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
      text += "\(rest / size)\(name)"
      rest %= size
    }
    return text
  }
}
