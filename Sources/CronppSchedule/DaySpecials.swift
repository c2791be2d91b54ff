/// Day-of-month forms that depend on the month's length or weekdays.
public enum MonthDaySpecial: Sendable, Hashable {
  /// `L` (offset 0) and `L-n`: the last day of the month, or `n` days before it.
  case last(offset: Int)
  /// `nW`: the weekday (Monday-Friday) nearest to day `n`, never leaving the month.
  case nearestWeekday(Int)
  /// `LW`: the last weekday (Monday-Friday) of the month.
  case lastWeekday

  /// The day this form picks in a month, if any.
  func day(daysInMonth n: Int, weekdayOfFirst first: Int) -> Int? {
    func weekday(_ d: Int) -> Int { (first + d - 1) % 7 }
    switch self {
    case .last(let offset):
      return n - offset >= 1 ? n - offset : nil
    case .nearestWeekday(let d):
      guard d <= n else { return nil }
      switch weekday(d) {
      case 6: return d == 1 ? 3 : d - 1
      case 0: return d == n ? d - 2 : d + 1
      default: return d
      }
    case .lastWeekday:
      switch weekday(n) {
      case 6: return n - 1
      case 0: return n - 2
      default: return n
      }
    }
  }
}

/// Day-of-week forms that pick one day of the month.
public enum WeekdaySpecial: Sendable, Hashable {
  /// `nL`: the last such weekday of the month (0 = Sunday).
  case last(weekday: Int)
  /// `n#k`: the k-th such weekday of the month, k 1-5.
  case nth(weekday: Int, k: Int)

  func day(daysInMonth n: Int, weekdayOfFirst first: Int) -> Int? {
    switch self {
    case .last(let w):
      let lastWeekday = (first + n - 1) % 7
      return n - (lastWeekday - w + 7) % 7
    case .nth(let w, let k):
      let d = 1 + (w - first + 7) % 7 + 7 * (k - 1)
      return d <= n ? d : nil
    }
  }
}
