import Foundation

extension Schedule {
  /// Fire times strictly after `instant`, ascending, computed lazily up to the end of 2199.
  /// A `CRON_TZ=` prefix wins over `zone`. How DST gaps and repeats fire is set out in
  /// man/cronpp-schedule.5, DAYLIGHT SAVING TIME.
  public func fires(after instant: Date, in zone: TimeZone) -> FireSequence {
    FireSequence(cursor: FireCursor(kind: kind, zone: ZoneRules.of(timeZone ?? zone)), after: Self.floorSeconds(instant))
  }

  /// The first fire time strictly after `instant`, if any.
  public func nextFire(after instant: Date, in zone: TimeZone) -> Date? {
    var iterator = fires(after: instant, in: zone).makeIterator()
    return iterator.next()
  }

  /// The last fire time strictly before `instant`, if any.
  public func previousFire(before instant: Date, in zone: TimeZone) -> Date? {
    let cursor = FireCursor(kind: kind, zone: ZoneRules.of(timeZone ?? zone))
    let before = Self.wholeSeconds(instant, .up)
    return cursor.previous(before: before).map { Date(timeIntervalSince1970: Double($0)) }
  }

  /// The zone fire times are computed in: the expression's own, else `zone`.
  public func effectiveZone(default zone: TimeZone) -> TimeZone { timeZone ?? zone }

  static func floorSeconds(_ date: Date) -> Int64 { wholeSeconds(date, .down) }

  /// Unix seconds, clamped far outside 1970-2199 so absurd or NaN dates cannot trap.
  static func wholeSeconds(_ date: Date, _ rule: FloatingPointRoundingRule) -> Int64 {
    let t = date.timeIntervalSince1970
    guard !t.isNaN else { return 0 }
    return Int64(min(max(t, -1e12), 1e12).rounded(rule))
  }
}

/// A lazy, ascending sequence of fire times.
public struct FireSequence: Sequence, IteratorProtocol, Sendable {
  let cursor: FireCursor
  var last: Int64?

  init(cursor: FireCursor, after: Int64) {
    self.cursor = cursor
    last = after
  }

  public mutating func next() -> Date? {
    guard let after = last else { return nil }
    last = cursor.next(after: after)
    return last.map { Date(timeIntervalSince1970: Double($0)) }
  }

  /// The next fire time as Unix seconds; the hot path for benchmarks and the serve loop.
  public mutating func nextSeconds() -> Int64? {
    guard let after = last else { return nil }
    last = cursor.next(after: after)
    return last
  }
}

/// Maps wall-clock matches to instants through the zone's offset periods.
struct FireCursor: Sendable {
  let kind: Schedule.Kind
  let zone: ZoneRules

  /// The first fire strictly after `instant` (Unix seconds).
  func next(after instant: Int64) -> Int64? {
    switch kind {
    case .reboot: return nil
    case .every(let period):
      // Like calendar fires, none before the epoch (1970) or from 2200 on.
      let next = max((instant.floorDivided(by: period) + 1) * period, 0)
      return next < Self.end ? next : nil
    case .calendar(let rule):
      return next(after: instant, rule: rule)
    }
  }

  /// The last fire strictly before `instant` (Unix seconds).
  func previous(before instant: Int64) -> Int64? {
    switch kind {
    case .reboot: return nil
    case .every(let period):
      let previous = ((min(instant, Self.end) - 1).floorDivided(by: period)) * period
      return previous >= 0 ? previous : nil
    case .calendar(let rule):
      return previous(before: instant, rule: rule)
    }
  }

  /// 2200-01-01T00:00:00Z: nothing fires at or after it.
  static let end: Int64 = 7_258_118_400

  private func next(after instant: Int64, rule: CalendarRule) -> Int64? {
    var s = instant + 1
    var p = zone.period(containing: s)
    while s < Self.end + 86_400 {
      let offset = zone.offsets[p]
      let start = zone.start(of: p)
      var low = s + offset
      if rule.timeKind == .fixed, let start {
        let before = zone.offsets[p - 1]
        if before > offset {
          // Fall back: wall times up to `start + before` already fired on the first pass.
          low = max(low, start + before)
        } else if s == start, let skipped = rule.firstWall(atOrAfter: start + before), skipped < start + offset {
          // Spring forward: a wall time in the gap fires once, at the first instant after it.
          return start
        }
      }
      let end = zone.end(of: p)
      if let wall = rule.firstWall(atOrAfter: low), end.map({ wall < $0 + offset }) ?? true {
        return wall - offset
      }
      guard let end else { return nil }
      s = end
      p += 1
    }
    return nil
  }

  private func previous(before instant: Int64, rule: CalendarRule) -> Int64? {
    var s = instant - 1
    var p = zone.period(containing: s)
    // East of UTC, wall times early on 1970-01-01 fall before the epoch (mirrors `next`'s end).
    while s >= -86_400 {
      let offset = zone.offsets[p]
      let start = zone.start(of: p)
      var low = start.map { $0 + offset }
      var gapFires = false
      if rule.timeKind == .fixed, let start {
        let before = zone.offsets[p - 1]
        if before > offset {
          low = start + before
        } else if let skipped = rule.firstWall(atOrAfter: start + before), skipped < start + offset {
          gapFires = true
        }
      }
      if let wall = rule.lastWall(atOrBefore: s + offset), low.map({ wall >= $0 }) ?? true {
        return wall - offset
      }
      if gapFires { return start }
      guard let start else { return nil }
      s = start - 1
      p -= 1
    }
    return nil
  }
}

extension Int64 {
  @inline(__always)
  func floorDivided(by d: Int64) -> Int64 {
    let q = self / d
    return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
  }
}
