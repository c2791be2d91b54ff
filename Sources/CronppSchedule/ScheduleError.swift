/// Why an expression was rejected: where (part, token, column) and what is wrong, worded once.
public struct ScheduleError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The part of the expression the error is about.
  public enum Part: Equatable, Sendable, CustomStringConvertible {
    case field(Field)
    case timeZone
    case every
    case expression

    public var description: String {
      switch self {
      case .field(let field): field.description
      case .timeZone: "time zone"
      case .every: "@every"
      case .expression: "schedule"
      }
    }
  }

  public enum Problem: Equatable, Sendable {
    case empty
    case fieldCount(Int)
    case outOfRange(ClosedRange<Int>)
    /// `split` is the range written as two that do what was meant (`22-23,0-2`).
    case runsBackwards(split: String)
    case zeroStep
    case unknownName
    case malformed
    case onlyInDayFields
    case onlyInDayOfMonth
    case onlyInDayOfWeek
    case specialWithStepOrRange
    case nthOutOfRange
    case hashNotInYear
    case unknownMacro
    case badDuration
    case unknownTimeZone
    /// `months` is the month field's text when a day field is to blame.
    case neverFires(months: String?)
  }

  public let part: Part
  /// The offending text as written (empty when the whole expression is at fault).
  public let token: String
  /// 1-based column of `token` in the expression as given, for a caret under it.
  public let column: Int
  public let problem: Problem

  public init(_ part: Part, token: some StringProtocol, column: Int, problem: Problem) {
    self.part = part
    self.token = String(token)
    self.column = column
    self.problem = problem
  }

  public var description: String {
    let what: String =
      switch problem {
      case .empty:
        "is empty; write 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily"
      case .fieldCount(let n):
        "has \(n) field\(n == 1 ? "" : "s"); write 5 (minute hour day-of-month month day-of-week), 6 (a leading second) or 7 (seconds first, year last)"
      case .outOfRange(let r):
        "\(token) is out of range \(r.lowerBound)-\(r.upperBound)"
      case .runsBackwards(let split):
        "\(token) runs backwards; ranges do not wrap around, so split it: \(split)"
      case .zeroStep:
        "\(token) has a step of 0; a step must be 1 or more"
      case .unknownName:
        part == .field(.month)
          ? "\(token) is not a month name (JAN-DEC) or number (1-12)"
          : "\(token) is not a weekday name (SUN-SAT) or number (0-7)"
      case .malformed:
        "\(token) is not a value, range (a-b), step (*/n, a-b/n, a/n) or list (a,b)"
      case .onlyInDayFields:
        "\(token) is only allowed in day-of-month and day-of-week"
      case .onlyInDayOfMonth:
        "\(token) is only allowed in day-of-month (L, L-n, nW, LW)"
      case .onlyInDayOfWeek:
        "\(token) is only allowed in day-of-week (nL, n#k)"
      case .specialWithStepOrRange:
        "\(token) cannot take a step or be part of a range"
      case .nthOutOfRange:
        "\(token) asks for an occurrence out of range 1-5"
      case .hashNotInYear:
        "\(token) is not allowed in the year field"
      case .unknownMacro:
        "\(token) is not a macro; use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @reboot or @every DURATION"
      case .badDuration:
        "\(token) is not a duration; write <number><unit> groups without spaces, units d, h, m, s (e.g. 90s, 1h30m), positive in total"
      case .unknownTimeZone:
        "\(token) is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)"
      case .neverFires(let months?):
        "\(token) never falls in month \(months), so the schedule would never fire"
      case .neverFires(nil):
        "\(token) has no date that matches the other fields, so the schedule would never fire"
      }
    return "\(part): \(what)"
  }
}
