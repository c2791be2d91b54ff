import Foundation

/// A validated schedule: a cron expression, a macro, `@every DURATION` or `@reboot`,
/// optionally prefixed with `CRON_TZ=Zone` (or `TZ=Zone`).
public struct Schedule: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case calendar(CalendarRule)
    /// Fixed-rate: fires at every multiple of the period counted from the Unix epoch.
    case every(seconds: Int64)
    /// Once when `serve` starts; it has no calendar times.
    case reboot
  }

  /// The expression as given.
  public let expression: String
  public let kind: Kind
  /// The zone named by a `CRON_TZ=`/`TZ=` prefix; it wins over any default zone.
  public let timeZone: TimeZone?
  /// The name `H` fields were hashed from.
  public let seed: String
  /// Whether any field uses `H`, so the values depend on `seed`.
  public let usesHash: Bool

  /// Parses and validates `expression`; `seed` (usually the task name) feeds `H`.
  public init(_ expression: String, seed: String = "") throws(ScheduleError) {
    self.expression = expression
    self.seed = seed
    var rest = Substring(expression).drop(while: \.isWhitespace)
    guard !rest.isEmpty else { throw ScheduleError(.expression, token: "", column: 1, problem: .empty) }

    var zone: TimeZone?
    for prefix in ["CRON_TZ=", "TZ="] where rest.hasPrefix(prefix) {
      let name = rest.dropFirst(prefix.count).prefix { !$0.isWhitespace }
      guard let found = TimeZone(identifier: String(name)), !name.isEmpty else {
        throw ScheduleError(.timeZone, token: name.isEmpty ? rest.prefix(prefix.count) : name, column: Self.column(of: name, in: expression), problem: .unknownTimeZone)
      }
      zone = found
      rest = rest[name.endIndex...].drop(while: \.isWhitespace)
      guard !rest.isEmpty else { throw ScheduleError(.expression, token: "", column: expression.count + 1, problem: .empty) }
      break
    }
    timeZone = zone

    if rest.first == "@" {
      (kind, usesHash) = (try Self.macro(rest, in: expression, seed: seed), false)
    } else {
      let rule = try Self.cron(rest, in: expression, seed: seed)
      (kind, usesHash) = (.calendar(rule.rule), rule.usesHash)
    }
  }

  static func column(of token: Substring, in expression: String) -> Int {
    expression.distance(from: expression.startIndex, to: token.startIndex) + 1
  }

  private static let macros: [String: String] = [
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
  ]

  private static func macro(_ text: Substring, in expression: String, seed: String) throws(ScheduleError) -> Kind {
    let words = text.split(whereSeparator: \.isWhitespace)
    let name = words[0].lowercased()
    if name == "@every" {
      guard words.count == 2 else {
        // "@every 1h 30m": point at everything after @every, the space is the mistake.
        let token = words.count > 2 ? text[words[1].startIndex..<words[words.count - 1].endIndex] : words[0]
        throw ScheduleError(.every, token: token, column: column(of: token, in: expression), problem: .badDuration)
      }
      return .every(seconds: try Duration.seconds(words[1], in: expression))
    }
    if words.count > 1 {
      throw ScheduleError(.expression, token: words[1], column: column(of: words[1], in: expression), problem: .fieldCount(words.count))
    }
    if name == "@reboot" { return .reboot }
    guard let fields = macros[name] else {
      throw ScheduleError(.expression, token: words[0], column: column(of: words[0], in: expression), problem: .unknownMacro)
    }
    // Macros expand to plain fields; errors cannot arise from them.
    guard let rule = try? cron(Substring(fields), in: fields, seed: seed).rule else { return .reboot }
    return .calendar(rule)
  }

  private static func cron(_ text: Substring, in expression: String, seed: String) throws(ScheduleError) -> (rule: CalendarRule, usesHash: Bool) {
    let words = text.split(whereSeparator: \.isWhitespace)
    guard (5...7).contains(words.count) else {
      throw ScheduleError(.expression, token: text, column: column(of: text, in: expression), problem: .fieldCount(words.count))
    }
    let texts: [Substring] = words.count == 5 ? ["0"] + words + ["*"] : words.count == 6 ? words + ["*"] : words
    var results: [FieldParser.Result] = []
    for field in Field.allCases {
      results.append(try FieldParser(field: field, expression: expression, seed: seed).parse(texts[field.rawValue]))
    }
    func startsWithStar(_ field: Field) -> Bool {
      let first = texts[field.rawValue].first
      return first == "*" || first == "?"
    }
    let timeKind: CalendarRule.TimeKind = [Field.second, .minute, .hour].contains(where: startsWithStar) ? .wildcard : .fixed
    let dom = results[Field.dayOfMonth.rawValue], dow = results[Field.dayOfWeek.rawValue]
    var rule = CalendarRule(
      seconds: results[0].values, minutes: results[1].values, hours: results[2].values,
      daysOfMonth: dom.values, monthDaySpecials: dom.monthDaySpecials,
      months: results[4].values,
      daysOfWeek: dow.values, weekdaySpecials: dow.weekdaySpecials,
      years: YearSet(results[6].years),
      dayRule: startsWithStar(.dayOfMonth) || startsWithStar(.dayOfWeek) ? .both : .either,
      timeKind: timeKind,
      texts: texts.map(String.init),
      writtenFields: words.count == 5 ? Array(Field.allCases[1...5]) : words.count == 6 ? Array(Field.allCases[0...5]) : Field.allCases)
    if rule.years?.values.count == Field.years.count { rule.years = nil }
    try checkFires(rule, texts: texts, in: expression)
    return (rule, results.contains(where: \.usesHash))
  }

  /// An expression that can never fire is an error, blamed on the field that rules it out.
  private static func checkFires(_ rule: CalendarRule, texts: [Substring], in expression: String) throws(ScheduleError) {
    guard rule.firstWall(atOrAfter: WallTime(year: Field.years.lowerBound, month: 1, day: 1, hour: 0, minute: 0, second: 0).seconds) == nil else { return }
    var anyYear = rule
    anyYear.years = nil
    let field: Field
    if rule.years != nil, anyYear.firstWall(atOrAfter: 0) != nil {
      field = .year
    } else if let first = texts[Field.dayOfMonth.rawValue].first, first != "*", first != "?" {
      field = .dayOfMonth
    } else {
      field = .dayOfWeek
    }
    // Both day fields and an explicit year field are written in `expression`.
    let token = texts[field.rawValue]
    let months = field == .year ? nil : String(texts[Field.month.rawValue])
    throw ScheduleError(.field(field), token: token, column: column(of: token, in: expression), problem: .neverFires(months: months))
  }
}
