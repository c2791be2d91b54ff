import CronppSchedule
import Foundation
import Testing

/// Shared helpers for the schedule tests: RFC 3339 in and out, zones by name, first N fires.
enum Support {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// Parses an RFC 3339 instant with an offset or `Z`, e.g. `2026-03-08T03:00:00-04:00`.
  static func instant(_ text: String) throws -> Date {
    do {
      return try Date(text, strategy: .iso8601)
    } catch {
      throw Failure(description: "not an RFC 3339 instant: \(text)")
    }
  }

  /// A zone by IANA name; unknown names fail the test instead of falling back to GMT.
  static func zone(_ identifier: String) throws -> TimeZone {
    guard let zone = TimeZone(identifier: identifier) else { throw Failure(description: "unknown zone \(identifier)") }
    return zone
  }

  static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current

  /// A Gregorian calendar in `zone`, for reading wall-clock fields.
  static func calendar(in zone: TimeZone) -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    return calendar
  }

  /// `date` as RFC 3339 wall time in `zone` with its offset: `2026-03-08T03:00:00-04:00`
  /// (UTC prints as `+00:00`, like the CLI).
  static func rfc3339(_ date: Date, in zone: TimeZone) -> String {
    let c = calendar(in: zone).dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    let offset = zone.secondsFromGMT(for: date)
    let sign = offset < 0 ? "-" : "+"
    let magnitude = abs(offset)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d%@%02d:%02d",
      c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0,
      sign, magnitude / 3600, magnitude % 3600 / 60)
  }

  /// The first `count` fires of `expression` strictly after `from`, as RFC 3339 strings in
  /// the zone the schedule runs in (its `CRON_TZ=` prefix, else `zone`).
  static func fires(
    _ expression: String, after from: String, in zone: String = "UTC", count: Int = 3, seed: String = ""
  ) throws -> [String] {
    let schedule = try Schedule(expression, seed: seed)
    let passed = try Self.zone(zone)
    let effective = schedule.timeZone ?? passed
    return schedule.fires(after: try instant(from), in: passed).prefix(count).map { rfc3339($0, in: effective) }
  }

  /// The fire just before `before`, as RFC 3339 in the effective zone, or `nil`.
  static func previous(_ expression: String, before: String, in zone: String = "UTC", seed: String = "") throws -> String? {
    let schedule = try Schedule(expression, seed: seed)
    let passed = try Self.zone(zone)
    return schedule.previousFire(before: try instant(before), in: passed).map { rfc3339($0, in: schedule.timeZone ?? passed) }
  }

  /// The calendar rule of a cron expression (fails the test for macros like `@every`).
  static func rule(_ expression: String, seed: String = "") throws -> CalendarRule {
    guard case .calendar(let rule) = try Schedule(expression, seed: seed).kind else {
      throw Failure(description: "\(expression) is not a calendar schedule")
    }
    return rule
  }

  /// The error `expression` is rejected with.
  static func rejection(_ expression: String) throws -> ScheduleError {
    do {
      _ = try Schedule(expression)
    } catch {
      return error
    }
    throw Failure(description: "\(expression) was accepted")
  }
}
