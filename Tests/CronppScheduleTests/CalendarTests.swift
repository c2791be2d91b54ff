import CronppSchedule
import Foundation
import Testing

/// Calendar facts the engine computes itself: leap years, month lengths, the day-field OR rule
/// and the day specials. In UTC; 2026-01-01 is a Thursday.
struct CalendarTests {
  static let newYear = "2026-01-01T00:00:00Z"

  @Test("February 29 fires only in leap years: 2028 but not 2100", arguments: [
    ("2026-01-01T00:00:00Z", ["2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00", "2036-02-29T00:00:00+00:00"]),
    ("2096-03-01T00:00:00Z", ["2104-02-29T00:00:00+00:00", "2108-02-29T00:00:00+00:00"]),
    ("2196-02-29T00:00:00Z", []),
  ])
  func leapDay(from: String, expected: [String]) throws {
    #expect(try Support.fires("0 0 29 2 *", after: from, count: max(expected.count, 1)) == expected)
  }

  @Test("2000 is a leap year (divisible by 400), found going backwards")
  func leapDay2000() throws {
    #expect(try Support.previous("0 0 29 2 *", before: "2001-01-01T00:00:00Z") == "2000-02-29T00:00:00+00:00")
    #expect(try Support.previous("0 0 29 2 *", before: "2000-02-29T00:00:00Z") == "1996-02-29T00:00:00+00:00")
    #expect(try Support.previous("0 0 29 2 *", before: "2104-01-01T00:00:00Z") == "2096-02-29T00:00:00+00:00")
  }

  @Test("the last day of February follows the leap-year rule", arguments: [
    ("2026-01-01T00:00:00Z", ["2026-02-28T00:00:00+00:00", "2027-02-28T00:00:00+00:00", "2028-02-29T00:00:00+00:00"]),
    ("2099-03-01T00:00:00Z", ["2100-02-28T00:00:00+00:00", "2101-02-28T00:00:00+00:00"]),
    ("1999-03-01T00:00:00Z", ["2000-02-29T00:00:00+00:00", "2001-02-28T00:00:00+00:00"]),
  ])
  func lastOfFebruary(from: String, expected: [String]) throws {
    #expect(try Support.fires("0 0 L 2 *", after: from, count: expected.count) == expected)
  }

  @Test("a day the month lacks is skipped that month", arguments: [
    ("0 0 31 * *", ["2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31", "2026-08-31", "2026-10-31", "2026-12-31", "2027-01-31"]),
    ("0 0 30 * *", ["2026-01-30", "2026-03-30", "2026-04-30"]),
    ("0 0 29 * *", ["2026-01-29", "2026-03-29", "2026-04-29"]),
    ("0 0 L * *", ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]),
    ("0 0 31 4,5,6 *", ["2026-05-31", "2027-05-31"]),
  ])
  func monthLengths(expression: String, days: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: days.count) == days.map { "\($0)T00:00:00+00:00" })
  }

  @Test("both day fields restricted: a day matching either fires (Vixie cron's OR rule)", arguments: [
    ("0 0 1 * MON", ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-01", "2026-02-02", "2026-02-09"]),
    ("0 0 1,15 * FRI", ["2026-01-02", "2026-01-09", "2026-01-15", "2026-01-16", "2026-01-23"]),
    ("0 0 L * SUN", ["2026-01-04", "2026-01-11", "2026-01-18", "2026-01-25", "2026-01-31", "2026-02-01"]),
    ("0 0 13 * 5", ["2026-01-02", "2026-01-09", "2026-01-13", "2026-01-16"]),
    // The OR rule lets a day-of-month the month lacks fire on the weekday instead.
    ("0 0 30 2 MON", ["2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23", "2027-02-01"]),
  ])
  func orRule(expression: String, days: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: days.count) == days.map { "\($0)T00:00:00+00:00" })
  }

  @Test("a day field starting with * or ? makes a day match both, so the other decides", arguments: [
    // Odd days (*/2 starts with *) that are Mondays.
    ("0 0 */2 * MON", ["2026-01-05", "2026-01-19", "2026-02-09", "2026-02-23", "2026-03-09"]),
    ("0 0 * * MON", ["2026-01-05", "2026-01-12", "2026-01-19"]),
    ("0 0 ? * MON", ["2026-01-05", "2026-01-12", "2026-01-19"]),
    ("0 0 1 * *", ["2026-02-01", "2026-03-01", "2026-04-01"]),
    ("0 0 1 * ?", ["2026-02-01", "2026-03-01", "2026-04-01"]),
    // The 1st when it is a Sunday, Tuesday, Thursday or Saturday (*/2 in day-of-week starts with *).
    ("0 0 1 * */2", ["2026-02-01", "2026-03-01", "2026-08-01", "2026-09-01"]),
  ])
  func andRule(expression: String, days: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: days.count) == days.map { "\($0)T00:00:00+00:00" })
  }

  @Test("L, L-n, nW, LW, nL and n#k pick days by month length and weekday", arguments: [
    ("0 0 L * *", Self.newYear, ["2026-01-31", "2026-02-28", "2026-03-31"]),
    ("0 0 L-2 * *", Self.newYear, ["2026-01-29", "2026-02-26", "2026-03-29"]),
    ("0 0 L-30 * *", Self.newYear, ["2026-03-01", "2026-05-01", "2026-07-01"]),
    // 2026-08-01 is a Saturday: 1W moves forward to Monday the 3rd, never back into July.
    ("0 0 1W * *", "2026-07-15T00:00:00Z", ["2026-08-03", "2026-09-01", "2026-10-01"]),
    // 31 falls on Saturday in January (-> Friday 30) and Sunday in May, the last day (-> Friday 29);
    // the 30-day months have no 31st, so 31W does not fire in them.
    ("0 0 31W * *", Self.newYear, ["2026-01-30", "2026-03-31", "2026-05-29", "2026-07-31", "2026-08-31"]),
    ("0 0 31W * *", "2026-04-01T00:00:00Z", ["2026-05-29"]),
    // 15th: Sunday in February and March (-> Monday 16th), Saturday in August (-> Friday 14th).
    ("0 0 15W * *", Self.newYear, ["2026-01-15", "2026-02-16", "2026-03-16", "2026-04-15", "2026-05-15", "2026-06-15", "2026-07-15", "2026-08-14"]),
    ("0 0 LW * *", Self.newYear, ["2026-01-30", "2026-02-27", "2026-03-31", "2026-04-30", "2026-05-29"]),
    ("0 0 * * 5L", Self.newYear, ["2026-01-30", "2026-02-27", "2026-03-27"]),
    ("0 0 * * 0L", Self.newYear, ["2026-01-25", "2026-02-22", "2026-03-29"]),
    ("0 0 * * 7L", Self.newYear, ["2026-01-25", "2026-02-22", "2026-03-29"]),
    ("0 0 * * 1#1", Self.newYear, ["2026-01-05", "2026-02-02", "2026-03-02"]),
    ("0 0 * * MON#1", Self.newYear, ["2026-01-05", "2026-02-02", "2026-03-02"]),
    ("0 0 * * FRI#5", Self.newYear, ["2026-01-30", "2026-05-29", "2026-07-31"]),
    ("0 0 * * 0#2", Self.newYear, ["2026-01-11", "2026-02-08", "2026-03-08"]),
    ("0 0 L,15 * *", Self.newYear, ["2026-01-15", "2026-01-31", "2026-02-15", "2026-02-28"]),
    ("0 0 * * 1#1,5L", Self.newYear, ["2026-01-05", "2026-01-30", "2026-02-02", "2026-02-27"]),
  ])
  func daySpecials(expression: String, from: String, days: [String]) throws {
    #expect(try Support.fires(expression, after: from, count: days.count) == days.map { "\($0)T00:00:00+00:00" })
  }

  @Test("fire times stay within 1970-2199", arguments: ["0 0 1 1 *", "@every 1h", "* * * * *"])
  func bounds(expression: String) throws {
    let schedule = try Schedule(expression)
    let early = try Support.instant("1960-06-01T00:00:00Z"), late = try Support.instant("2250-01-01T00:00:00Z")
    let first = try #require(schedule.nextFire(after: early, in: Support.utc))
    #expect(Support.rfc3339(first, in: Support.utc).hasPrefix("1970-01-01T00:0"))
    #expect(schedule.previousFire(before: try Support.instant("1970-01-01T00:00:00Z"), in: Support.utc) == nil)
    let last = try #require(schedule.previousFire(before: late, in: Support.utc))
    #expect(Support.rfc3339(last, in: Support.utc).hasPrefix("2199-"))
    #expect(schedule.nextFire(after: last, in: Support.utc) == nil)
    #expect(schedule.nextFire(after: late, in: Support.utc) == nil)
  }

  @Test("the first and last wall times are reached both ways in zones east and west of UTC", arguments: [
    ("0 0 1 1 *", "Europe/Berlin", "1970-01-01T00:00:00+01:00", "2199-01-01T00:00:00+01:00"),
    ("0 0 1 1 *", "Asia/Tokyo", "1970-01-01T00:00:00+09:00", "2199-01-01T00:00:00+09:00"),
    ("59 23 31 12 *", "America/New_York", "1970-12-31T23:59:00-05:00", "2199-12-31T23:59:00-05:00"),
    ("* * * * *", "Pacific/Kiritimati", "1970-01-01T00:00:00-10:40", "2199-12-31T23:59:00+14:00"),
  ])
  func edgesOfTime(expression: String, zone: String, first: String, last: String) throws {
    let schedule = try Schedule(expression)
    let tz = try Support.zone(zone)
    let firstFire = try #require(schedule.nextFire(after: .distantPast, in: tz))
    #expect(Support.rfc3339(firstFire, in: tz) == first)
    #expect(schedule.previousFire(before: firstFire.addingTimeInterval(1), in: tz) == firstFire)
    #expect(schedule.previousFire(before: firstFire, in: tz) == nil)
    let lastFire = try #require(schedule.previousFire(before: .distantFuture, in: tz))
    #expect(Support.rfc3339(lastFire, in: tz) == last)
    #expect(schedule.nextFire(after: lastFire.addingTimeInterval(-1), in: tz) == lastFire)
    #expect(schedule.nextFire(after: lastFire, in: tz) == nil)
  }

  @Test("the next and previous fires agree with a plain walk over the days of 2026", arguments: [
    "0 0 1 * MON", "0 0 */2 * MON", "0 0 L * *", "0 0 15W * *", "0 0 * * 5L", "0 0 * * 2#3", "0 0 LW * *",
  ])
  func previousMirrorsNext(expression: String) throws {
    let schedule = try Schedule(expression)
    let start = try Support.instant("2025-12-31T12:00:00Z"), end = try Support.instant("2027-01-01T00:00:00Z")
    let forward = Array(schedule.fires(after: start, in: Support.utc).prefix { $0 < end })
    var backward: [Date] = []
    var cursor = end
    while let previous = schedule.previousFire(before: cursor, in: Support.utc), previous > start {
      backward.append(previous)
      cursor = previous
    }
    #expect(forward == backward.reversed())
    #expect(!forward.isEmpty)
  }
}

@Test("absurd instants give no fires instead of trapping", arguments: [1e20, -1e20, Double.nan, Double.infinity])
func absurdInstants(seconds: Double) throws {
  let schedule = try Schedule("* * * * *")
  let instant = Date(timeIntervalSince1970: seconds)
  let utc = try #require(TimeZone(identifier: "UTC"))
  let next = schedule.nextFire(after: instant, in: utc)
  #expect(next == nil || seconds.isNaN || seconds < 0)
  _ = schedule.previousFire(before: instant, in: utc)
}
