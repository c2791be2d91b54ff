/// One of the seven positions of a cron expression, in the order of a 7-field expression.
public enum Field: Int, CaseIterable, Sendable, Hashable, CustomStringConvertible {
  case second, minute, hour, dayOfMonth, month, dayOfWeek, year

  /// The values the field accepts as written. Day-of-week also accepts 7 (Sunday).
  public var range: ClosedRange<Int> {
    switch self {
    case .second, .minute: 0...59
    case .hour: 0...23
    case .dayOfMonth: 1...31
    case .month: 1...12
    case .dayOfWeek: 0...7
    case .year: Field.years
    }
  }

  /// Fire times exist from 1970 through 2199; the year field accepts exactly these.
  public static let years: ClosedRange<Int> = 1970...2199

  public var description: String {
    switch self {
    case .second: "second"
    case .minute: "minute"
    case .hour: "hour"
    case .dayOfMonth: "day-of-month"
    case .month: "month"
    case .dayOfWeek: "day-of-week"
    case .year: "year"
    }
  }

  /// Names accepted in place of numbers (any case), with the number each stands for.
  var names: [String: Int] {
    switch self {
    case .month: Field.monthNames
    case .dayOfWeek: Field.weekdayNames
    default: [:]
    }
  }

  public static let monthAbbreviations = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
  public static let weekdayAbbreviations = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
  static let monthNames = Dictionary(uniqueKeysWithValues: monthAbbreviations.enumerated().map { ($1, $0 + 1) })
  static let weekdayNames = Dictionary(uniqueKeysWithValues: weekdayAbbreviations.enumerated().map { ($1, $0) })
}
