/// A parsed cron expression: which seconds, minutes, hours, days, months and years match.
/// Pure data; searching lives in `CalendarRule+Search.swift`.
public struct CalendarRule: Sendable, Hashable {
  public var seconds: FieldSet
  public var minutes: FieldSet
  public var hours: FieldSet
  public var daysOfMonth: FieldSet
  public var monthDaySpecials: [MonthDaySpecial]
  public var months: FieldSet
  /// 0 = Sunday ... 6 = Saturday (7 is folded into 0).
  public var daysOfWeek: FieldSet
  public var weekdaySpecials: [WeekdaySpecial]
  /// `nil` when the expression has no year field or it is `*`.
  public var years: YearSet?
  public var dayRule: DayRule
  public var timeKind: TimeKind
  /// Each field's text as written (implicit fields as `0` for seconds and `*` for year),
  /// in `Field` order; descriptions and the `explain` table read them.
  public var texts: [String]
  /// The fields the expression spells out: 5, 6 (with seconds) or 7 (seconds and year).
  public var writtenFields: [Field]

  /// How day-of-month and day-of-week combine (Vixie cron's rule).
  public enum DayRule: Sendable, Hashable {
    /// One of the day fields starts with `*`: a day must match both.
    case both
    /// Neither starts with `*`: a day matches if it matches either.
    case either
  }

  /// How the schedule meets daylight-saving shifts (man/cronpp-schedule.5, DAYLIGHT SAVING TIME).
  public enum TimeKind: Sendable, Hashable {
    /// Second, minute or hour starts with `*`: fires at every real instant that matches.
    case wildcard
    /// Fires once per wall time: skipped times at the end of the gap, repeated ones on the first pass.
    case fixed
  }

  public func text(of field: Field) -> String { texts[field.rawValue] }

  /// Whether the field matches every value (written `*` or `?`, or its whole range).
  public func isUnrestricted(_ field: Field) -> Bool {
    switch field {
    case .second: seconds.count == 60
    case .minute: minutes.count == 60
    case .hour: hours.count == 24
    case .dayOfMonth: daysOfMonth.count == 31 && monthDaySpecials.isEmpty
    case .month: months.count == 12
    case .dayOfWeek: daysOfWeek.count == 7 && weekdaySpecials.isEmpty
    case .year: years == nil
    }
  }

  /// The plain values a field matches, ascending (specials such as `L` not included).
  public func values(of field: Field) -> [Int] {
    switch field {
    case .second: seconds.values
    case .minute: minutes.values
    case .hour: hours.values
    case .dayOfMonth: daysOfMonth.values
    case .month: months.values
    case .dayOfWeek: daysOfWeek.values
    case .year: years?.values ?? Array(Field.years)
    }
  }
}
