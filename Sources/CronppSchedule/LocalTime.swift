import Foundation

/// An instant as read on a zone's wall clock, through the same offset table the engine
/// fires by, so printed times always agree with computed ones.
public struct LocalTime: Sendable, Equatable {
  public let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
  /// 0 = Sunday ... 6 = Saturday.
  public let weekday: Int
  /// Seconds east of UTC.
  public let offset: Int

  public init(_ instant: Date, in zone: TimeZone) {
    let s = Schedule.floorSeconds(instant)
    let offset = ZoneRules.of(zone).offset(at: s)
    let wall = WallTime(seconds: s + offset)
    (year, month, day, hour, minute, second) = (wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second)
    weekday = Civil.weekday(year: wall.year, month: wall.month, day: wall.day)
    self.offset = Int(offset)
  }

  /// `2026-03-08T03:00:00-04:00`; UTC prints as `+00:00`.
  public var rfc3339: String {
    let sign = offset < 0 ? "-" : "+"
    let magnitude = abs(offset)
    return "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second))\(sign)\(pad(magnitude / 3600)):\(pad(magnitude / 60 % 60))"
  }

  private func pad(_ value: Int, _ width: Int = 2) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}
