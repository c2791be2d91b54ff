import CronppSchedule
import Foundation
import Testing

/// Every element of the syntax (DESIGN.md section 2), checked by the fire times it produces.
/// Unless a case says otherwise, times start at 2026-01-01T00:00:00Z, a Thursday, in UTC.
struct SyntaxTests {
  static let newYear = "2026-01-01T00:00:00Z"

  @Test("values, lists, ranges and steps pick the listed minutes, hours and seconds", arguments: [
    ("* * * * *", ["2026-01-01T00:01:00+00:00", "2026-01-01T00:02:00+00:00", "2026-01-01T00:03:00+00:00"]),
    ("5,10,15 * * * *", ["2026-01-01T00:05:00+00:00", "2026-01-01T00:10:00+00:00", "2026-01-01T00:15:00+00:00", "2026-01-01T01:05:00+00:00"]),
    ("10-12 * * * *", ["2026-01-01T00:10:00+00:00", "2026-01-01T00:11:00+00:00", "2026-01-01T00:12:00+00:00", "2026-01-01T01:10:00+00:00"]),
    ("*/20 * * * *", ["2026-01-01T00:20:00+00:00", "2026-01-01T00:40:00+00:00", "2026-01-01T01:00:00+00:00"]),
    ("10-30/10 * * * *", ["2026-01-01T00:10:00+00:00", "2026-01-01T00:20:00+00:00", "2026-01-01T00:30:00+00:00", "2026-01-01T01:10:00+00:00"]),
    ("50/5 * * * *", ["2026-01-01T00:50:00+00:00", "2026-01-01T00:55:00+00:00", "2026-01-01T01:50:00+00:00"]),
    ("0 */6 * * *", ["2026-01-01T06:00:00+00:00", "2026-01-01T12:00:00+00:00", "2026-01-01T18:00:00+00:00", "2026-01-02T00:00:00+00:00"]),
    ("0 9-17/4 * * *", ["2026-01-01T09:00:00+00:00", "2026-01-01T13:00:00+00:00", "2026-01-01T17:00:00+00:00", "2026-01-02T09:00:00+00:00"]),
    ("0 22/1 * * *", ["2026-01-01T22:00:00+00:00", "2026-01-01T23:00:00+00:00", "2026-01-02T22:00:00+00:00"]),
    ("1,5-6,*/30 * * * *", ["2026-01-01T00:01:00+00:00", "2026-01-01T00:05:00+00:00", "2026-01-01T00:06:00+00:00", "2026-01-01T00:30:00+00:00", "2026-01-01T01:00:00+00:00"]),
    ("*/15 * * * * *", ["2026-01-01T00:00:15+00:00", "2026-01-01T00:00:30+00:00", "2026-01-01T00:00:45+00:00", "2026-01-01T00:01:00+00:00"]),
    ("30 0 0 * * *", ["2026-01-01T00:00:30+00:00", "2026-01-02T00:00:30+00:00"]),
    ("0 30 9 * * MON", ["2026-01-05T09:30:00+00:00", "2026-01-12T09:30:00+00:00"]),
    ("5-7/2 0 0 * * *", ["2026-01-01T00:00:05+00:00", "2026-01-01T00:00:07+00:00", "2026-01-02T00:00:05+00:00"]),
  ])
  func valuesListsRangesSteps(expression: String, expected: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: expected.count) == expected)
  }

  @Test("month and weekday names work in any case, and weekday 0, 7 and SUN are all Sunday", arguments: [
    ("0 0 1 jan,Jul *", ["2026-07-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"]),
    ("0 0 1 Mar-may *", ["2026-03-01T00:00:00+00:00", "2026-04-01T00:00:00+00:00", "2026-05-01T00:00:00+00:00", "2027-03-01T00:00:00+00:00"]),
    ("0 0 * * sat,Sun", ["2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-10T00:00:00+00:00"]),
    ("0 0 * * mOn", ["2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00"]),
    ("0 0 * * 0", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
    ("0 0 * * 7", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
    ("0 0 * * SUN", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
    ("0 0 * * 0,7", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
  ])
  func names(expression: String, expected: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: expected.count) == expected)
  }

  @Test("a weekday range or step ending at Sunday runs through Sunday", arguments: [
    ("0 0 * * MON-SUN", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-05T00:00:00+00:00"]),
    ("0 0 * * FRI-SUN", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-09T00:00:00+00:00"]),
    ("0 0 * * 5-7", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-09T00:00:00+00:00"]),
    // 1/2 runs to day-of-week's end, 7: Monday, Wednesday, Friday and Sunday.
    ("0 0 * * 1/2", ["2026-01-02T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-05T00:00:00+00:00", "2026-01-07T00:00:00+00:00", "2026-01-09T00:00:00+00:00"]),
    ("0 0 * * MON/2", ["2026-01-02T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-05T00:00:00+00:00", "2026-01-07T00:00:00+00:00"]),
    ("0 0 * * */2", ["2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-06T00:00:00+00:00", "2026-01-08T00:00:00+00:00"]),
  ])
  func rangesEndingAtSunday(expression: String, expected: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: expected.count) == expected)
  }

  @Test("an equal range is one value, and SUN-SUN is Sunday alone", arguments: [
    ("5-5 * * * *", ["2026-01-01T00:05:00+00:00", "2026-01-01T01:05:00+00:00"]),
    ("0 0 1 OCT-OCT *", ["2026-10-01T00:00:00+00:00", "2027-10-01T00:00:00+00:00"]),
    ("0 0 * * WED-WED", ["2026-01-07T00:00:00+00:00", "2026-01-14T00:00:00+00:00"]),
    ("0 0 * * SUN-SUN", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
    ("0 0 * * 0-0", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
    ("0 0 * * 7-7", ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"]),
  ])
  func equalRanges(expression: String, expected: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: expected.count) == expected)
  }

  @Test("a step wider than its field means the start alone", arguments: [
    ("*/60 * * * *", ["2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"]),
    ("5/100 * * * *", ["2026-01-01T00:05:00+00:00", "2026-01-01T01:05:00+00:00"]),
    ("0 */24 * * *", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
    ("0 0 */40 * *", ["2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"]),
    ("0 0 1 */13 *", ["2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00"]),
    ("*/99 0 0 * * *", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
  ])
  func wideSteps(expression: String, expected: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: expected.count) == expected)
  }

  @Test("duplicate values are accepted and fire once", arguments: [
    ("0,0,0 0 * * *", ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00"]),
    ("0 0 * * 1,MON,mon,1-1", ["2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00"]),
    ("0 0 15,15,10-20/5 * *", ["2026-01-10T00:00:00+00:00", "2026-01-15T00:00:00+00:00", "2026-01-20T00:00:00+00:00", "2026-02-10T00:00:00+00:00"]),
  ])
  func duplicates(expression: String, expected: [String]) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: expected.count) == expected)
  }

  @Test("? means * in either day field", arguments: [
    ("0 0 ? * MON", "0 0 * * MON"),
    ("0 0 15 * ?", "0 0 15 * *"),
    ("0 0 ? * ?", "0 0 * * *"),
    ("0 0 0 ? 2 ?", "0 0 0 * 2 *"),
  ])
  func questionMark(expression: String, equivalent: String) throws {
    #expect(try Support.fires(expression, after: Self.newYear, count: 40) == Support.fires(equivalent, after: Self.newYear, count: 40))
  }

  static let seeds = (0..<40).map { "task-\($0)" } + ["backup", "report", ""]

  @Test("H picks one value inside its bounds, stable for a seed and spread across seeds", arguments: [
    ("H * * * *", Field.minute, 0...59),
    ("H(0-5) * * * *", .minute, 0...5),
    ("0 H(9-17) * * *", .hour, 9...17),
    ("0 0 H * *", .dayOfMonth, 1...28),
    ("0 0 * * H", .dayOfWeek, 0...6),
    ("0 0 * * H(MON-FRI)", .dayOfWeek, 1...5),
    ("0 0 1 H *", .month, 1...12),
    ("H * * * * *", .second, 0...59),
  ])
  func hash(expression: String, field: Field, bounds: ClosedRange<Int>) throws {
    var picked: Set<Int> = []
    for seed in Self.seeds {
      let values = try Support.rule(expression, seed: seed).values(of: field)
      #expect(values.count == 1 && values.allSatisfy(bounds.contains), "seed \(seed): \(values)")
      #expect(try Support.rule(expression, seed: seed).values(of: field) == values)
      picked.formUnion(values)
    }
    #expect(picked.count > 1)
  }

  @Test("H/n and H(a-b)/n pick a start below n and step from it", arguments: [
    ("H/15 * * * *", Field.minute, 0...59, 15),
    ("H(0-29)/10 * * * *", .minute, 0...29, 10),
    ("0 H/6 * * *", .hour, 0...23, 6),
  ])
  func hashSteps(expression: String, field: Field, bounds: ClosedRange<Int>, step: Int) throws {
    var starts: Set<Int> = []
    for seed in Self.seeds {
      let rule = try Support.rule(expression, seed: seed)
      let values = rule.values(of: field)
      let start = try #require(values.first)
      #expect(start < bounds.lowerBound + step)
      #expect(values == Array(stride(from: start, through: bounds.upperBound, by: step)))
      starts.insert(start)
    }
    #expect(starts.count > 1)
  }

  @Test("the same seed gives the same fires; H marks the schedule as seeded")
  func hashFires() throws {
    let backup = try Support.fires("H H * * *", after: Self.newYear, count: 5, seed: "backup")
    #expect(try Support.fires("H H * * *", after: Self.newYear, count: 5, seed: "backup") == backup)
    let others = try Self.seeds.map { try Support.fires("H H * * *", after: Self.newYear, count: 5, seed: $0) }
    #expect(others.contains { $0 != backup })
    #expect(try Schedule("H H * * *", seed: "backup").usesHash)
    #expect(try !Schedule("0 3 * * *", seed: "backup").usesHash)
    #expect(try Schedule("H H * * *", seed: "backup").seed == "backup")
  }

  @Test("a year field limits the fires, and a schedule runs out after its last year")
  func yearField() throws {
    #expect(try Support.fires("0 0 0 1 1 * 2027-2028", after: Self.newYear, count: 5) == ["2027-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00"])
    #expect(try Support.fires("0 0 12 29 2 * 1972/4", after: Self.newYear, count: 2) == ["2028-02-29T12:00:00+00:00", "2032-02-29T12:00:00+00:00"])
    #expect(try Support.fires("0 0 12 * * * 2199", after: "2199-12-30T12:00:00Z", count: 5) == ["2199-12-31T12:00:00+00:00"])
    #expect(try Support.fires("0 0 0 1 1 * 2020,2024", after: Self.newYear) == [])
    #expect(try Support.previous("0 0 0 1 1 * 2020,2024", before: Self.newYear) == "2024-01-01T00:00:00+00:00")
  }

  @Test("each macro fires like the expression it stands for", arguments: [
    ("@yearly", "0 0 1 1 *"), ("@annually", "0 0 1 1 *"), ("@monthly", "0 0 1 * *"), ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"), ("@midnight", "0 0 * * *"), ("@hourly", "0 * * * *"),
    ("@DAILY", "0 0 * * *"), ("@Weekly", "0 0 * * SUN"),
  ])
  func macros(macro: String, equivalent: String) throws {
    #expect(try Support.fires(macro, after: Self.newYear, count: 12) == Support.fires(equivalent, after: Self.newYear, count: 12))
  }

  @Test("@weekly fires on Sunday midnight and @hourly on the hour")
  func macroTimes() throws {
    #expect(try Support.fires("@weekly", after: Self.newYear, count: 2) == ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00"])
    #expect(try Support.fires("@hourly", after: Self.newYear, count: 2) == ["2026-01-01T01:00:00+00:00", "2026-01-01T02:00:00+00:00"])
    #expect(try Support.fires("@yearly", after: Self.newYear, count: 1) == ["2027-01-01T00:00:00+00:00"])
  }

  @Test("@reboot has no calendar times")
  func reboot() throws {
    let schedule = try Schedule("@reboot")
    #expect(schedule.kind == .reboot)
    #expect(schedule.nextFire(after: try Support.instant(Self.newYear), in: Support.utc) == nil)
    #expect(schedule.previousFire(before: try Support.instant(Self.newYear), in: Support.utc) == nil)
  }

  @Test("@every reads d, h, m and s groups into seconds", arguments: [
    ("@every 90s", 90), ("@every 15m", 900), ("@every 90m", 5400), ("@every 1h30m", 5400),
    ("@every 2d", 172_800), ("@every 1d2h3m4s", 93_784), ("@every 1H", 3600), ("@EVERY 45s", 45),
    ("@every 0h5m", 300),
  ] as [(String, Int64)])
  func everyDurations(expression: String, seconds: Int64) throws {
    #expect(try Schedule(expression).kind == .every(seconds: seconds))
  }

  @Test("@every is fixed-rate from the Unix epoch, whatever the zone", arguments: ["UTC", "America/New_York", "Pacific/Apia", "Australia/Lord_Howe"])
  func everyAnchoredAtEpoch(zone: String) throws {
    let schedule = try Schedule("@every 90m")
    let fires = Array(schedule.fires(after: try Support.instant("2026-01-01T00:10:00Z"), in: try Support.zone(zone)).prefix(50))
    #expect(fires.map { Support.rfc3339($0, in: Support.utc) }.prefix(3) == ["2026-01-01T01:30:00+00:00", "2026-01-01T03:00:00+00:00", "2026-01-01T04:30:00+00:00"])
    #expect(fires.allSatisfy { $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 5400) == 0 })
    #expect(zip(fires, fires.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 5400 })
    // Not anchored at midnight: 7-minute steps from the epoch land on 00:02 on 2026-01-02.
    let sevens = try Schedule("@every 7m").fires(after: try Support.instant("2026-01-02T00:00:00Z"), in: try Support.zone(zone)).prefix(2)
    #expect(sevens.map { Support.rfc3339($0, in: Support.utc) } == ["2026-01-02T00:02:00+00:00", "2026-01-02T00:09:00+00:00"])
    #expect(schedule.previousFire(before: try Support.instant("2026-01-01T01:00:00Z"), in: try Support.zone(zone)) == (try Support.instant("2026-01-01T00:00:00Z")))
  }

  @Test("a CRON_TZ= or TZ= prefix wins over the zone passed in", arguments: [
    ("CRON_TZ=Asia/Tokyo 0 9 * * *", "Asia/Tokyo", ["2026-01-02T09:00:00+09:00", "2026-01-03T09:00:00+09:00"]),
    ("TZ=Europe/Berlin 0 9 * * *", "Europe/Berlin", ["2026-01-01T09:00:00+01:00", "2026-01-02T09:00:00+01:00"]),
    ("  CRON_TZ=Asia/Kolkata   30 12 * * *", "Asia/Kolkata", ["2026-01-01T12:30:00+05:30", "2026-01-02T12:30:00+05:30"]),
    ("CRON_TZ=America/New_York @daily", "America/New_York", ["2026-01-01T00:00:00-05:00", "2026-01-02T00:00:00-05:00"]),
  ])
  func zonePrefix(expression: String, zone: String, expected: [String]) throws {
    let schedule = try Schedule(expression)
    #expect(schedule.timeZone?.identifier == zone)
    for passed in ["UTC", "America/New_York", "Pacific/Apia"] {
      #expect(try Support.fires(expression, after: Self.newYear, in: passed, count: expected.count) == expected)
    }
  }

  @Test("a schedule without a prefix has no zone of its own")
  func noPrefix() throws {
    #expect(try Schedule("0 9 * * *").timeZone == nil)
    #expect(try Support.fires("0 9 * * *", after: Self.newYear, in: "Asia/Tokyo", count: 1) == ["2026-01-02T09:00:00+09:00"])
  }

  @Test("second, minute or hour starting with * makes a wildcard schedule; the day fields pick AND or OR", arguments: [
    ("* * * * *", CalendarRule.TimeKind.wildcard, CalendarRule.DayRule.both),
    ("0 * * * *", .wildcard, .both),
    ("*/5 2 * * *", .wildcard, .both),
    ("* 0 0 * * *", .wildcard, .both),
    ("0 0 * * * *", .wildcard, .both),
    ("0 2 * * *", .fixed, .both),
    ("0 0 2 * * *", .fixed, .both),
    ("0 0-23 * * *", .fixed, .both),
    ("H H * * *", .fixed, .both),
    ("0 0 1 * MON", .fixed, .either),
    ("0 0 L * 5#2", .fixed, .either),
    ("0 0 */2 * MON", .fixed, .both),
    ("0 0 1 * */2", .fixed, .both),
    ("0 0 ? * MON", .fixed, .both),
    ("0 0 0 1 * MON 2030", .fixed, .either),
  ])
  func kinds(expression: String, timeKind: CalendarRule.TimeKind, dayRule: CalendarRule.DayRule) throws {
    let rule = try Support.rule(expression)
    #expect(rule.timeKind == timeKind)
    #expect(rule.dayRule == dayRule)
  }
}
