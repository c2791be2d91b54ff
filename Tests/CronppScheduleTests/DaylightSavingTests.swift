import CronppSchedule
import Foundation
import Testing

/// Daylight-saving semantics (DESIGN.md section 2, "DST, like Debian cron"):
/// - fixed schedules (second, minute and hour not starting with `*`) fire the wall times a
///   spring-forward gap skips once, at the first instant after the gap, and a repeated wall
///   time once, on the first pass;
/// - wildcard schedules fire at every real instant that matches: both passes, nothing in a gap.
///
/// Transitions used: America/New_York 2026-03-08 02:00 -> 03:00 and 2026-11-01 02:00 -> 01:00;
/// Europe/London 2026-03-29 01:00 -> 02:00 and 2026-10-25 02:00 -> 01:00; Europe/Berlin
/// 2026-03-29 02:00 -> 03:00 and 2026-10-25 03:00 -> 02:00; Australia/Lord_Howe (30 minutes)
/// 2026-10-04 02:00 -> 02:30 and 2026-04-05 02:00 -> 01:30; Pacific/Apia skips 2011-12-30.
struct DaylightSavingTests {
  typealias Case = (expression: String, zone: String, from: String, fires: [String])

  /// Checks the fires forwards, then walks back over them with `previousFire`.
  static func check(_ c: Case) throws {
    let actual = try Support.fires(c.expression, after: c.from, in: c.zone, count: c.fires.count + 1)
    #expect(Array(actual.prefix(c.fires.count)) == c.fires)
    let schedule = try Schedule(c.expression)
    let zone = try Support.zone(c.zone)
    let effective = schedule.timeZone ?? zone
    for (earlier, later) in zip(c.fires, c.fires.dropFirst()) {
      let previous = schedule.previousFire(before: try Support.instant(later), in: zone)
      #expect(previous.map { Support.rfc3339($0, in: effective) } == earlier, "previous fire before \(later)")
    }
  }

  @Test("New York spring forward: fixed times in the gap fire once at 03:00 EDT", arguments: [
    ("30 2 * * *", "America/New_York", "2026-03-07T00:00:00-05:00", ["2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
    ("0,15,30,45 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00", "2026-03-09T02:15:00-04:00"]),
    ("0 2,3 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00", "2026-03-09T03:00:00-04:00"]),
    ("30 2,3 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"]),
    ("0 1-3 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T01:00:00-04:00"]),
    ("0 0-23 * * *", "America/New_York", "2026-03-08T00:30:00-05:00", ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"]),
    ("30 30 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:30-04:00"]),
    ("0 30 2 8 3 * 2026", "America/New_York", "2026-01-01T00:00:00-05:00", ["2026-03-08T03:00:00-04:00"]),
    ("CRON_TZ=America/New_York 30 2 * * *", "UTC", "2026-03-08T00:00:00Z", ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
  ] as [Case])
  func newYorkSpringFixed(c: Case) throws { try Self.check(c) }

  @Test("New York spring forward: wildcard schedules skip the missing hour", arguments: [
    ("*/30 * * * *", "America/New_York", "2026-03-08T01:00:00-05:00", ["2026-03-08T01:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:30:00-04:00"]),
    ("0 * * * *", "America/New_York", "2026-03-08T00:30:00-05:00", ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"]),
    ("* 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-09T02:00:00-04:00", "2026-03-09T02:01:00-04:00"]),
    ("0 */30 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-09T02:00:00-04:00", "2026-03-09T02:30:00-04:00"]),
    ("*/20 0 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", ["2026-03-09T02:00:00-04:00", "2026-03-09T02:00:20-04:00"]),
  ] as [Case])
  func newYorkSpringWildcard(c: Case) throws { try Self.check(c) }

  @Test("New York fall back: fixed times in the repeated hour fire on the first pass only", arguments: [
    ("30 1 * * *", "America/New_York", "2026-10-31T12:00:00-04:00", ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]),
    ("0 1 * * *", "America/New_York", "2026-10-31T12:00:00-04:00", ["2026-11-01T01:00:00-04:00", "2026-11-02T01:00:00-05:00"]),
    ("0,30 1 * * *", "America/New_York", "2026-11-01T00:00:00-04:00", ["2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:00:00-05:00"]),
    ("0 1-3 * * *", "America/New_York", "2026-11-01T00:00:00-04:00", ["2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00"]),
    ("0 0-23 * * *", "America/New_York", "2026-11-01T00:30:00-04:00", ["2026-11-01T01:00:00-04:00", "2026-11-01T02:00:00-05:00", "2026-11-01T03:00:00-05:00"]),
    ("15 30 1 * * *", "America/New_York", "2026-10-31T12:00:00-04:00", ["2026-11-01T01:30:15-04:00", "2026-11-02T01:30:15-05:00"]),
    // Starting inside the second pass: the first pass already happened.
    ("45 1 * * *", "America/New_York", "2026-11-01T01:10:00-05:00", ["2026-11-02T01:45:00-05:00"]),
  ] as [Case])
  func newYorkFallFixed(c: Case) throws { try Self.check(c) }

  @Test("New York fall back: wildcard schedules fire in both passes", arguments: [
    ("*/30 * * * *", "America/New_York", "2026-11-01T00:30:00-04:00", ["2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00"]),
    ("0 * * * *", "America/New_York", "2026-11-01T00:30:00-04:00", ["2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"]),
    ("*/20 1 * * *", "America/New_York", "2026-11-01T00:00:00-04:00", ["2026-11-01T01:00:00-04:00", "2026-11-01T01:20:00-04:00", "2026-11-01T01:40:00-04:00", "2026-11-01T01:00:00-05:00", "2026-11-01T01:20:00-05:00", "2026-11-01T01:40:00-05:00", "2026-11-02T01:00:00-05:00"]),
    ("*/30 59 1 * * *", "America/New_York", "2026-11-01T01:00:00-04:00", ["2026-11-01T01:59:00-04:00", "2026-11-01T01:59:30-04:00", "2026-11-01T01:59:00-05:00", "2026-11-01T01:59:30-05:00", "2026-11-02T01:59:00-05:00"]),
  ] as [Case])
  func newYorkFallWildcard(c: Case) throws { try Self.check(c) }

  @Test("London and Berlin follow the same rules at their own transitions", arguments: [
    ("30 1 * * *", "Europe/London", "2026-03-28T12:00:00+00:00", ["2026-03-29T02:00:00+01:00", "2026-03-30T01:30:00+01:00"]),
    ("30 1 * * *", "Europe/London", "2026-10-24T12:00:00+01:00", ["2026-10-25T01:30:00+01:00", "2026-10-26T01:30:00+00:00"]),
    ("0 * * * *", "Europe/London", "2026-03-29T00:30:00+00:00", ["2026-03-29T02:00:00+01:00", "2026-03-29T03:00:00+01:00"]),
    ("0 * * * *", "Europe/London", "2026-10-25T00:30:00+01:00", ["2026-10-25T01:00:00+01:00", "2026-10-25T01:00:00+00:00", "2026-10-25T02:00:00+00:00"]),
    ("0 0 * * *", "Europe/London", "2026-03-28T12:00:00+00:00", ["2026-03-29T00:00:00+00:00", "2026-03-30T00:00:00+01:00"]),
    ("30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00+01:00", ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]),
    ("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00+02:00", ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]),
    ("0 0 2 * * *", "Europe/Berlin", "2026-03-29T00:00:00+01:00", ["2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"]),
    ("*/30 2 * * *", "Europe/Berlin", "2026-03-29T00:00:00+01:00", ["2026-03-30T02:00:00+02:00"]),
    ("*/30 2 * * *", "Europe/Berlin", "2026-10-25T00:00:00+02:00", ["2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T02:30:00+01:00", "2026-10-26T02:00:00+01:00"]),
  ] as [Case])
  func europe(c: Case) throws { try Self.check(c) }

  @Test("Lord Howe's 30-minute shifts: gap 02:00-02:30 in October, repeat 01:30-02:00 in April", arguments: [
    ("0 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", ["2026-10-04T02:30:00+11:00", "2026-10-05T02:00:00+11:00"]),
    ("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00+10:30", ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"]),
    ("0,15,30,45 2 * * *", "Australia/Lord_Howe", "2026-10-04T00:00:00+10:30", ["2026-10-04T02:30:00+11:00", "2026-10-04T02:45:00+11:00", "2026-10-05T02:00:00+11:00"]),
    ("30 20 2 * * *", "Australia/Lord_Howe", "2026-10-04T00:00:00+10:30", ["2026-10-04T02:30:00+11:00", "2026-10-05T02:20:30+11:00"]),
    ("45 1 * * *", "Australia/Lord_Howe", "2026-04-04T12:00:00+11:00", ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"]),
    ("0,15,45 1 * * *", "Australia/Lord_Howe", "2026-04-05T00:00:00+11:00", ["2026-04-05T01:00:00+11:00", "2026-04-05T01:15:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-06T01:00:00+10:30"]),
    ("*/15 * * * *", "Australia/Lord_Howe", "2026-10-04T01:30:00+10:30", ["2026-10-04T01:45:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-04T02:45:00+11:00"]),
    ("*/15 * * * *", "Australia/Lord_Howe", "2026-04-05T01:10:00+11:00", ["2026-04-05T01:15:00+11:00", "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00", "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30", "2026-04-05T02:00:00+10:30"]),
    ("0 * * * *", "Australia/Lord_Howe", "2026-10-04T00:30:00+10:30", ["2026-10-04T01:00:00+10:30", "2026-10-04T03:00:00+11:00"]),
    ("0 * * * *", "Australia/Lord_Howe", "2026-04-05T00:30:00+11:00", ["2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30"]),
  ] as [Case])
  func lordHowe(c: Case) throws { try Self.check(c) }

  @Test("Apia skipped 2011-12-30: fixed times that day fire once at midnight on the 31st", arguments: [
    ("0 12 * * *", "Pacific/Apia", "2011-12-29T00:00:00-10:00", ["2011-12-29T12:00:00-10:00", "2011-12-31T00:00:00+14:00", "2011-12-31T12:00:00+14:00"]),
    ("0 0 * * *", "Pacific/Apia", "2011-12-28T12:00:00-10:00", ["2011-12-29T00:00:00-10:00", "2011-12-31T00:00:00+14:00", "2012-01-01T00:00:00+14:00"]),
    ("0 9,18 30 12 *", "Pacific/Apia", "2011-12-01T00:00:00-10:00", ["2011-12-31T00:00:00+14:00", "2012-12-30T09:00:00+14:00"]),
    ("0 0 * * FRI", "Pacific/Apia", "2011-12-20T00:00:00-10:00", ["2011-12-23T00:00:00-10:00", "2011-12-31T00:00:00+14:00", "2012-01-06T00:00:00+14:00"]),
    ("30 15 10 * * *", "Pacific/Apia", "2011-12-29T12:00:00-10:00", ["2011-12-31T00:00:00+14:00", "2011-12-31T10:15:30+14:00"]),
    ("0 * * * *", "Pacific/Apia", "2011-12-29T22:30:00-10:00", ["2011-12-29T23:00:00-10:00", "2011-12-31T00:00:00+14:00", "2011-12-31T01:00:00+14:00"]),
    ("* * 30 12 *", "Pacific/Apia", "2011-12-01T00:00:00-10:00", ["2012-12-30T00:00:00+14:00"]),
  ] as [Case])
  func apia(c: Case) throws { try Self.check(c) }

  @Test("UTC has no transitions: nothing is skipped or repeated", arguments: [
    ("30 2 * * *", "UTC", "2026-03-08T00:00:00Z", ["2026-03-08T02:30:00+00:00", "2026-03-09T02:30:00+00:00"]),
    ("*/30 1 * * *", "UTC", "2026-11-01T00:00:00Z", ["2026-11-01T01:00:00+00:00", "2026-11-01T01:30:00+00:00", "2026-11-02T01:00:00+00:00"]),
    ("30 1 * * *", "UTC", "2026-10-25T00:00:00Z", ["2026-10-25T01:30:00+00:00", "2026-10-26T01:30:00+00:00"]),
  ] as [Case])
  func utc(c: Case) throws { try Self.check(c) }

  @Test("previousFire from inside a transition sees the same fires", arguments: [
    ("30 1 * * *", "America/New_York", "2026-11-01T01:45:00-05:00", "2026-11-01T01:30:00-04:00"),
    ("30 * * * *", "America/New_York", "2026-11-01T01:45:00-05:00", "2026-11-01T01:30:00-05:00"),
    ("30 * * * *", "America/New_York", "2026-11-01T01:15:00-05:00", "2026-11-01T01:30:00-04:00"),
    ("30 2 * * *", "America/New_York", "2026-03-08T03:00:01-04:00", "2026-03-08T03:00:00-04:00"),
    ("30 2 * * *", "America/New_York", "2026-03-08T03:00:00-04:00", "2026-03-07T02:30:00-05:00"),
    ("* 2 * * *", "America/New_York", "2026-03-08T03:30:00-04:00", "2026-03-07T02:59:00-05:00"),
    ("0 12 * * *", "Pacific/Apia", "2011-12-31T11:00:00+14:00", "2011-12-31T00:00:00+14:00"),
    ("45 1 * * *", "Australia/Lord_Howe", "2026-04-05T02:00:00+10:30", "2026-04-05T01:45:00+11:00"),
    ("45 1 * * *", "Australia/Lord_Howe", "2026-04-05T01:50:00+10:30", "2026-04-05T01:45:00+11:00"),
  ])
  func previousInTransitions(expression: String, zone: String, before: String, expected: String) throws {
    #expect(try Support.previous(expression, before: before, in: zone) == expected)
  }

  @Test("how many times a schedule fires on a transition day", arguments: [
    ("* 1 * * *", "America/New_York", "2026-11-01T00:00:00-04:00", "2026-11-01T03:00:00-05:00", 120),
    ("* 2 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", "2026-03-08T04:00:00-04:00", 0),
    ("0 * * * *", "America/New_York", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25),
    ("0 0-23 * * *", "America/New_York", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 24),
    ("0 * * * *", "America/New_York", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23),
    ("0 0-23 * * *", "America/New_York", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23),
    ("*/30 * * * *", "Australia/Lord_Howe", "2026-04-05T00:00:00+11:00", "2026-04-06T00:00:00+10:30", 49),
    ("0,30 0-23 * * *", "Australia/Lord_Howe", "2026-04-05T00:00:00+11:00", "2026-04-06T00:00:00+10:30", 48),
    ("0 * * * *", "Pacific/Apia", "2011-12-29T00:00:00-10:00", "2011-12-31T06:00:00+14:00", 30),
    ("0 0-23 * * *", "Pacific/Apia", "2011-12-29T00:00:00-10:00", "2011-12-31T06:00:00+14:00", 30),
  ] as [(String, String, String, String, Int)])
  func countsOnTransitionDays(expression: String, zone: String, from: String, through: String, count: Int) throws {
    let schedule = try Schedule(expression)
    let start = try Support.instant(from), end = try Support.instant(through)
    // `from` itself may fire; count from one second before it.
    let fires = schedule.fires(after: start.addingTimeInterval(-1), in: try Support.zone(zone)).prefix { $0 < end }
    #expect(fires.count == count)
  }
}
