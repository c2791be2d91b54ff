/// Searching wall-clock time (no zone): the field walk that jumps whole years, months,
/// days, hours and minutes at a time, so each result costs a handful of bit operations.
extension CalendarRule {
  static let allDays: UInt64 = 0xFFFF_FFFE

  /// Days 1...31 that match in a month, as bits 1...31.
  @inline(__always)
  func dayMask(year: Int, month: Int) -> UInt64 {
    let n = Civil.daysInMonth(year, month)
    let valid: UInt64 = ((1 << UInt64(n + 1)) - 1) & ~1
    // Every day matches (both fields `*`): skip the weekday work, the common case.
    if daysOfMonth.bits == Self.allDays, daysOfWeek.bits & 0x7F == 0x7F, monthDaySpecials.isEmpty, weekdaySpecials.isEmpty {
      return valid
    }
    let first = Civil.weekday(year: year, month: month, day: 1)

    var byDate = daysOfMonth.bits & valid
    for special in monthDaySpecials {
      if let d = special.day(daysInMonth: n, weekdayOfFirst: first) { byDate |= 1 << UInt64(d) }
    }

    // Rotate the weekday set so bit i means "the 1st plus i days matches", then repeat it
    // every 7 days with one multiplication (the copies cannot overlap).
    let w = daysOfWeek.bits & 0x7F
    let rotated = ((w >> UInt64(first)) | (w << UInt64(7 - first))) & 0x7F
    var byWeekday = (rotated &* 0x1020_4081) << 1 & valid  // bits 0, 7, 14, 21, 28
    for special in weekdaySpecials {
      if let d = special.day(daysInMonth: n, weekdayOfFirst: first) { byWeekday |= 1 << UInt64(d) }
    }

    switch dayRule {
    case .both: return byDate & byWeekday
    case .either: return (byDate | byWeekday) & valid
    }
  }

  @inline(__always)
  private func yearMatches(_ year: Int) -> Bool { years?.contains(year) ?? true }

  /// The first matching wall time at or after `start` (wall seconds), up to the end of 2199.
  func firstWall(atOrAfter start: Int64) -> Int64? {
    var t = WallTime(seconds: start)
    if t.year < Field.years.lowerBound { t = WallTime(year: Field.years.lowerBound, month: 1, day: 1, hour: 0, minute: 0, second: 0) }
    while true {
      if t.year > Field.years.upperBound { return nil }
      if !yearMatches(t.year) {
        guard let y = years?.first(atOrAfter: t.year) else { return nil }
        t = WallTime(year: y, month: 1, day: 1, hour: 0, minute: 0, second: 0)
      }
      guard let month = months.first(atOrAfter: t.month) else {
        t = WallTime(year: t.year + 1, month: 1, day: 1, hour: 0, minute: 0, second: 0)
        continue
      }
      if month != t.month { t = WallTime(year: t.year, month: month, day: 1, hour: 0, minute: 0, second: 0) }
      guard let day = FieldSet(bits: dayMask(year: t.year, month: t.month)).first(atOrAfter: t.day) else {
        t = WallTime(year: t.year, month: t.month + 1, day: 1, hour: 0, minute: 0, second: 0)
        if t.month > 12 { t.year += 1; t.month = 1 }
        continue
      }
      if day != t.day { (t.day, t.hour, t.minute, t.second) = (day, 0, 0, 0) }
      // The day matches: finish within it, so a miss in a finer field does not redo the
      // year, month and day work (the common case for every-second and every-minute rules).
      if let time = firstTime(atOrAfter: t.hour, t.minute, t.second) {
        (t.hour, t.minute, t.second) = time
        return t.seconds
      }
      (t.day, t.hour, t.minute, t.second) = (t.day + 1, 0, 0, 0)
    }
  }

  /// The first matching time of day at or after `h:m:s`, if any.
  @inline(__always)
  private func firstTime(atOrAfter h: Int, _ m: Int, _ s: Int) -> (Int, Int, Int)? {
    var (h, m, s) = (h, m, s)
    while let hour = hours.first(atOrAfter: h) {
      if hour != h { (m, s) = (0, 0) }
      while let minute = minutes.first(atOrAfter: m) {
        if minute != m { s = 0 }
        if let second = seconds.first(atOrAfter: s) { return (hour, minute, second) }
        (m, s) = (minute + 1, 0)
      }
      (h, m, s) = (hour + 1, 0, 0)
    }
    return nil
  }

  /// The last matching time of day at or before `h:m:s`, if any.
  @inline(__always)
  private func lastTime(atOrBefore h: Int, _ m: Int, _ s: Int) -> (Int, Int, Int)? {
    var (h, m, s) = (h, m, s)
    while let hour = hours.last(atOrBefore: h) {
      if hour != h { (m, s) = (59, 59) }
      while let minute = minutes.last(atOrBefore: m) {
        if minute != m { s = 59 }
        if let second = seconds.last(atOrBefore: s) { return (hour, minute, second) }
        (m, s) = (minute - 1, 59)
      }
      (h, m, s) = (hour - 1, 59, 59)
    }
    return nil
  }

  /// The last matching wall time at or before `end` (wall seconds), back to the start of 1970.
  func lastWall(atOrBefore end: Int64) -> Int64? {
    var t = WallTime(seconds: end)
    if t.year > Field.years.upperBound { t = WallTime(year: Field.years.upperBound, month: 12, day: 31, hour: 23, minute: 59, second: 59) }
    while true {
      if t.year < Field.years.lowerBound { return nil }
      if !yearMatches(t.year) {
        guard let y = years?.last(atOrBefore: t.year) else { return nil }
        t = WallTime(year: y, month: 12, day: 31, hour: 23, minute: 59, second: 59)
      }
      guard let month = months.last(atOrBefore: t.month) else {
        t = WallTime(year: t.year - 1, month: 12, day: 31, hour: 23, minute: 59, second: 59)
        continue
      }
      if month != t.month { t = WallTime(year: t.year, month: month, day: 31, hour: 23, minute: 59, second: 59) }
      guard let day = FieldSet(bits: dayMask(year: t.year, month: t.month)).last(atOrBefore: t.day) else {
        t = WallTime(year: t.year, month: t.month - 1, day: 31, hour: 23, minute: 59, second: 59)
        if t.month < 1 { t.year -= 1; t.month = 12 }
        continue
      }
      if day != t.day { (t.day, t.hour, t.minute, t.second) = (day, 23, 59, 59) }
      if let time = lastTime(atOrBefore: t.hour, t.minute, t.second) {
        (t.hour, t.minute, t.second) = time
        return t.seconds
      }
      (t.day, t.hour, t.minute, t.second) = (t.day - 1, 23, 59, 59)
      if t.day < 1 {
        t.month -= 1
        if t.month < 1 { t.year -= 1; t.month = 12 }
        t.day = 31
      }
    }
  }
}
