import Foundation

extension Schedule {
  /// What a reader of this schedule should know, looking a year ahead of `now` in `zone`
  /// (a `CRON_TZ=` prefix wins). Pure: `now` is a parameter.
  public func warnings(after now: Date, in zone: TimeZone) -> [ScheduleWarning] {
    var warnings: [ScheduleWarning] = []
    if usesHash, seed.isEmpty {
      warnings.append(.init(kind: .hashWithoutSeed, message: "H picked its values from an empty seed; pass --seed NAME (the task's name) to see the values that task gets"))
    }
    switch kind {
    case .reboot:
      break
    case .every(let period):
      if 86_400 % period != 0 {
        warnings.append(.init(kind: .everyDrifts, message: "@every \(Self.durationText(period)) does not divide 24 hours, so fire times shift from day to day (they count from the Unix epoch, not from midnight)"))
      }
    case .calendar(let rule):
      warnings += rule.stepWarnings()
      if rule.dayRule == .either, !(rule.isUnrestricted(.dayOfMonth) && rule.isUnrestricted(.dayOfWeek)) {
        let dom = rule.text(of: .dayOfMonth), dow = rule.text(of: .dayOfWeek)
        warnings.append(.init(kind: .eitherDay, message: "day-of-month (\(dom)) and day-of-week (\(dow)) are both restricted, so a day matches when EITHER matches (Vixie cron's rule), not both; to require both, write * in one field and narrow with the other (e.g. MON#1 for the first Monday)"))
      }
      warnings += daylightSavingWarnings(rule, after: now, in: effectiveZone(default: zone))
    }
    warnings += rarityWarnings(after: now, in: zone)
    return warnings
  }

  private func rarityWarnings(after now: Date, in zone: TimeZone) -> [ScheduleWarning] {
    if case .reboot = kind { return [] }
    let upcoming = Array(fires(after: now, in: zone).prefix(3))
    guard let first = upcoming.first else {
      let last = previousFire(before: now, in: zone)
      return [.init(kind: .rare, message: "never fires after \(Self.day(now, in: effectiveZone(default: zone)))" + (last.map { "; its last fire time was \(Self.day($0, in: effectiveZone(default: zone)))" } ?? ""))]
    }
    let span = (upcoming.last ?? first).timeIntervalSince(first) / Double(max(1, upcoming.count - 1))
    guard upcoming.count < 3 || span > 366 * 86_400 else { return [] }
    let dates = upcoming.map { Self.day($0, in: effectiveZone(default: zone)) }.joined(separator: ", ")
    if upcoming.count < 3 {
      return [.init(kind: .rare, message: "fires only \(upcoming.count == 1 ? "once" : "twice") more: \(dates)")]
    }
    return [.init(kind: .rare, message: "fires rarely, about once every \(Int((span / (365.25 * 86_400)).rounded())) years: \(dates)")]
  }

  /// Transitions in the year after `now` that skip or repeat a wall time the rule matches.
  private func daylightSavingWarnings(_ rule: CalendarRule, after now: Date, in zone: TimeZone) -> [ScheduleWarning] {
    let rules = ZoneRules.of(zone)
    let start = Self.floorSeconds(now), end = start + 366 * 86_400
    var warnings: [ScheduleWarning] = []
    var p = rules.period(containing: start) + 1
    while p < rules.offsets.count, let at = rules.start(of: p), at < end {
      defer { p += 1 }
      let before = rules.offsets[p - 1], after = rules.offsets[p]
      let low = at + min(before, after), high = at + max(before, after)
      guard let wall = rule.firstWall(atOrAfter: low), wall < high else { continue }
      let date = Self.day(Date(timeIntervalSince1970: Double(at)), in: zone)
      let from = Self.clock(at + before), to = Self.clock(at + after)
      let name = zone.identifier
      if after > before {
        let message = rule.timeKind == .fixed
          ? "on \(date) in \(name), clocks jump from \(from) to \(to): \(Self.clock(wall)) does not exist that day, so that run fires at \(to)"
          : "on \(date) in \(name), clocks jump from \(from) to \(to): runs due from \(from) to before \(to) do not happen that day"
        warnings.append(.init(kind: .skippedByDaylightSaving, message: message))
      } else {
        let message = rule.timeKind == .fixed
          ? "on \(date) in \(name), clocks go back from \(from) to \(to): \(Self.clock(wall)) happens twice, and this schedule fires on the first pass only"
          : "on \(date) in \(name), clocks go back from \(from) to \(to): runs from \(to) to before \(from) happen on both passes"
        warnings.append(.init(kind: .repeatedByDaylightSaving, message: message))
      }
    }
    return warnings
  }

  static func durationText(_ seconds: Int64) -> String {
    var rest = seconds, text = ""
    for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
      text += "\(rest / size)\(unit)"
      rest %= size
    }
    return text
  }

  /// `HH:MM` (with `:SS` when not zero) of wall seconds.
  static func clock(_ wall: Int64) -> String {
    let t = WallTime(seconds: wall)
    let hm = String(format: "%02d:%02d", t.hour, t.minute)
    return t.second == 0 ? hm : hm + String(format: ":%02d", t.second)
  }

  /// `YYYY-MM-DD` of an instant in a zone.
  static func day(_ date: Date, in zone: TimeZone) -> String {
    let s = Self.floorSeconds(date)
    let t = WallTime(seconds: s + ZoneRules.of(zone).offset(at: s))
    return String(format: "%04d-%02d-%02d", t.year, t.month, t.day)
  }
}

extension CalendarRule {
  /// `*/n` in second, minute or hour with `n` not dividing the field: the last gap is short.
  func stepWarnings() -> [ScheduleWarning] {
    var warnings: [ScheduleWarning] = []
    for (field, size) in [(Field.second, 60), (.minute, 60), (.hour, 24)] {
      let text = self.text(of: field)
      guard text.hasPrefix("*/"), let step = Int(text.dropFirst(2)) else { continue }
      if step >= size {
        warnings.append(.init(kind: .unevenStep, message: "\(field): \(text) is wider than the field, so it means \(field) 0 only"))
      } else if size % step != 0 {
        let last = (size - 1) / step * step
        let (unit, cycle) = field == .hour ? ("hours", "day") : field == .minute ? ("minutes", "hour") : ("seconds", "minute")
        warnings.append(.init(kind: .unevenStep, message: "\(field): \(text) restarts at 0 each \(cycle), so the gap from \(last) to 0 is \(size - last) \(unit), not \(step)"))
      }
    }
    return warnings
  }
}
