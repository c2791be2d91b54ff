/// Proleptic Gregorian calendar arithmetic on plain integers, so the search loop never
/// touches Foundation's `Calendar` (which costs microseconds per call).
/// Algorithms from Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms".
enum Civil {
  @inline(__always)
  static func isLeapYear(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

  @inline(__always)
  static func daysInMonth(_ y: Int, _ m: Int) -> Int {
    switch m {
    case 2: isLeapYear(y) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }

  /// Days since 1970-01-01 of a calendar date.
  @inline(__always)
  static func days(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The calendar date of a day count since 1970-01-01.
  @inline(__always)
  static func date(days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// 0 = Sunday ... 6 = Saturday.
  @inline(__always)
  static func weekday(days: Int) -> Int {
    let w = (days + 4) % 7  // 1970-01-01 was a Thursday
    return w < 0 ? w + 7 : w
  }

  @inline(__always)
  static func weekday(year: Int, month: Int, day: Int) -> Int { weekday(days: days(year: year, month: month, day: day)) }
}

/// A wall-clock time broken into fields; `seconds` counts from 1970-01-01T00:00:00 on the wall clock.
struct WallTime: Equatable {
  var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

  init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
    (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
  }

  @inline(__always)
  init(seconds: Int64) {
    let s = Int(seconds)
    var days = s / 86_400
    var rest = s % 86_400
    if rest < 0 { rest += 86_400; days -= 1 }
    (year, month, day) = Civil.date(days: days)
    hour = rest / 3600
    minute = rest / 60 % 60
    second = rest % 60
  }

  @inline(__always)
  var seconds: Int64 {
    Int64(Civil.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
  }
}
