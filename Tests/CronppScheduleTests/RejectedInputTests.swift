import CronppSchedule
import Foundation
import Testing

/// Rejected expressions: the exact message (ScheduleError.description) and the 1-based column
/// of the token it blames, for a caret under it.
struct RejectedInputTests {
  static func backwards(_ split: String) -> String { "runs backwards; ranges do not wrap around, so split it: \(split)" }
  static let zeroStep = "has a step of 0; a step must be 1 or more"
  static let malformed = "is not a value, range (a-b), step (*/n, a-b/n, a/n) or list (a,b)"
  static let neverFires = "so the schedule would never fire"
  static let fieldCount = "write 5 (minute hour day-of-month month day-of-week), 6 (a leading second) or 7 (seconds first, year last)"
  static let empty = "schedule: is empty; write 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily"
  static let macro = "is not a macro; use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @reboot or @every DURATION"
  static let duration = "is not a duration; write <number><unit> groups without spaces, units d, h, m, s (e.g. 90s, 1h30m), positive in total"
  static let zone = "is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)"

  static func check(_ expression: String, _ message: String, _ column: Int) throws {
    let error = try Support.rejection(expression)
    #expect(error.description == message)
    #expect(error.column == column)
  }

  @Test("a value out of range names its field and the allowed range", arguments: [
    ("0 0 32 * *", "day-of-month: 32 is out of range 1-31", 5),
    ("61 * * * *", "minute: 61 is out of range 0-59", 1),
    ("0 24 * * *", "hour: 24 is out of range 0-23", 3),
    ("0 0 0 * *", "day-of-month: 0 is out of range 1-31", 5),
    ("0 0 * 13 *", "month: 13 is out of range 1-12", 7),
    ("0 0 * * 8", "day-of-week: 8 is out of range 0-7", 9),
    ("60 0 0 * * *", "second: 60 is out of range 0-59", 1),
    ("0 0 0 * * * 1969", "year: 1969 is out of range 1970-2199", 13),
    ("0 0 0 * * * 2200", "year: 2200 is out of range 1970-2199", 13),
    ("5,70 * * * *", "minute: 70 is out of range 0-59", 3),
    ("0 0 1-32 * *", "day-of-month: 32 is out of range 1-31", 7),
    ("99999999999 * * * *", "minute: 99999999999 is out of range 0-59", 1),
    ("0 0 L-31 * *", "day-of-month: 31 is out of range 1-30", 7),
    ("0 0 32W * *", "day-of-month: 32 is out of range 1-31", 5),
    ("0 0 * * 9#1", "day-of-week: 9 is out of range 0-7", 9),
    ("CRON_TZ=UTC 0 0 32 * *", "day-of-month: 32 is out of range 1-31", 17),
    ("  61 * * * *", "minute: 61 is out of range 0-59", 3),
    ("0\t0\t32\t*\t*", "day-of-month: 32 is out of range 1-31", 5),
  ])
  func outOfRange(expression: String, message: String, column: Int) throws {
    try Self.check(expression, message, column)
  }

  @Test("a range must not run backwards, and a step must not be 0", arguments: [
    ("5-1 * * * *", "minute: 5-1 \(backwards("5-59,0-1"))", 1),
    ("0 22-2 * * *", "hour: 22-2 \(backwards("22-23,0-2"))", 3),
    ("0 0 * NOV-FEB *", "month: NOV-FEB \(backwards("NOV-DEC,JAN-FEB"))", 7),
    ("0 0 * * FRI-MON", "day-of-week: FRI-MON \(backwards("FRI-SAT,SUN-MON"))", 9),
    ("0 0 * * 7-1", "day-of-week: 7-1 \(backwards("0-1"))", 9),
    ("0 0 20-10/2 * *", "day-of-month: 20-10 \(backwards("20-31,1-10"))", 5),
    ("H(30-10) * * * *", "minute: 30-10 \(backwards("30-59,0-10"))", 3),
    ("*/0 * * * *", "minute: */0 \(zeroStep)", 1),
    ("0 1-5/0 * * *", "hour: 1-5/0 \(zeroStep)", 3),
    ("0 0 1 3/0 *", "month: 3/0 \(zeroStep)", 7),
    ("H/0 * * * *", "minute: H/0 \(zeroStep)", 1),
  ])
  func backwardsAndZeroSteps(expression: String, message: String, column: Int) throws {
    try Self.check(expression, message, column)
  }

  @Test("an expression that can never fire is rejected, blaming the field that rules it out", arguments: [
    ("0 0 30 2 *", "day-of-month: 30 never falls in month 2, \(neverFires)", 5),
    ("0 0 31 4,6,9,11 *", "day-of-month: 31 never falls in month 4,6,9,11, \(neverFires)", 5),
    ("0 0 31W 2 *", "day-of-month: 31W never falls in month 2, \(neverFires)", 5),
    ("0 0 L-30 FEB *", "day-of-month: L-30 never falls in month FEB, \(neverFires)", 5),
    ("0 0 30 2 ?", "day-of-month: 30 never falls in month 2, \(neverFires)", 5),
    ("0 0 0 29 2 * 2100", "year: 2100 has no date that matches the other fields, \(neverFires)", 14),
    ("0 0 12 29 2 * */4", "year: */4 has no date that matches the other fields, \(neverFires)", 15),
    ("0 0 0 ? 2 SUN#5 2026", "year: 2026 has no date that matches the other fields, \(neverFires)", 17),
  ])
  func neverFiring(expression: String, message: String, column: Int) throws {
    try Self.check(expression, message, column)
  }

  @Test("specials and ? are only allowed where they mean something", arguments: [
    ("L * * * *", "minute: L is only allowed in day-of-month (L, L-n, nW, LW)", 1),
    ("0 LW * * *", "hour: LW is only allowed in day-of-month (L, L-n, nW, LW)", 3),
    ("0 0 * * L", "day-of-week: L is only allowed in day-of-month (L, L-n, nW, LW)", 9),
    ("0 0 * * 15W", "day-of-week: 15W is only allowed in day-of-month (L, L-n, nW, LW)", 9),
    ("0 0 5L * *", "day-of-month: 5L is only allowed in day-of-week (nL, n#k)", 5),
    ("0 0 1#2 * *", "day-of-month: 1#2 is only allowed in day-of-week (nL, n#k)", 5),
    ("0 0 * * 1#6", "day-of-week: 1#6 asks for an occurrence out of range 1-5", 9),
    ("0 0 * * MON#0", "day-of-week: MON#0 asks for an occurrence out of range 1-5", 9),
    ("0 0 L/2 * *", "day-of-month: L/2 cannot take a step or be part of a range", 5),
    ("0 0 * * 5L/2", "day-of-week: 5L/2 cannot take a step or be part of a range", 9),
    ("0 0 * * 1-2#3", "day-of-week: 1-2#3 cannot take a step or be part of a range", 9),
    ("? * * * *", "minute: ? is only allowed in day-of-month and day-of-week", 1),
    ("0 0 * ? *", "month: ? is only allowed in day-of-month and day-of-week", 7),
    ("* * * * * * H", "year: H is not allowed in the year field", 13),
  ])
  func misplaced(expression: String, message: String, column: Int) throws {
    try Self.check(expression, message, column)
  }

  @Test("unknown names and garbage tokens are pointed at", arguments: [
    ("0 0 * FOO *", "month: FOO is not a month name (JAN-DEC) or number (1-12)", 7),
    ("0 0 * * FUN", "day-of-week: FUN is not a weekday name (SUN-SAT) or number (0-7)", 9),
    ("0 0 * * MONDAY", "day-of-week: MONDAY is not a weekday name (SUN-SAT) or number (0-7)", 9),
    ("0 0 JAN * *", "day-of-month: JAN \(malformed)", 5),
    ("a b c d e", "minute: a \(malformed)", 1),
    ("1,,2 * * * *", "minute: 1,,2 \(malformed)", 1),
    ("*/ * * * *", "minute: */ \(malformed)", 1),
    ("-5 * * * *", "minute: -5 \(malformed)", 1),
    ("5- * * * *", "minute: 5- \(malformed)", 1),
    ("1-2-3 * * * *", "minute: 2-3 \(malformed)", 3),
    ("*/x * * * *", "minute: x \(malformed)", 3),
    ("1.5 * * * *", "minute: 1.5 \(malformed)", 1),
    ("٣ * * * *", "minute: ٣ \(malformed)", 1),
    ("H(5) * * * *", "minute: H(5) \(malformed)", 1),
    ("H(0-5 * * * *", "minute: H(0-5 \(malformed)", 1),
    ("0 0 * * 1#x", "day-of-week: 1#x \(malformed)", 9),
    // A missing number blames the whole item, never an empty token.
    ("0 0 * * #1", "day-of-week: #1 \(malformed)", 9),
    ("H(-5) * * * *", "minute: H(-5) \(malformed)", 1),
    ("H(5-) * * * *", "minute: H(5-) \(malformed)", 1),
    ("0 0 * * L#2", "day-of-week: L is not a weekday name (SUN-SAT) or number (0-7)", 9),
  ])
  func garbage(expression: String, message: String, column: Int) throws {
    try Self.check(expression, message, column)
  }

  @Test("wrong field counts, unknown macros, bad durations, unknown zones and empty input", arguments: [
    ("* * * *", "schedule: has 4 fields; \(fieldCount)", 1),
    ("* * * * * * * *", "schedule: has 8 fields; \(fieldCount)", 1),
    ("*", "schedule: has 1 field; \(fieldCount)", 1),
    ("CRON_TZ=UTC * * *", "schedule: has 3 fields; \(fieldCount)", 13),
    ("@daily now", "schedule: has 2 fields; \(fieldCount)", 8),
    ("@fortnightly", "schedule: @fortnightly \(macro)", 1),
    ("@", "schedule: @ \(macro)", 1),
    ("@every 0s", "@every: 0s \(duration)", 8),
    ("@every 5x", "@every: 5x \(duration)", 8),
    ("@every", "@every: @every \(duration)", 1),
    ("@every 1h30", "@every: 1h30 \(duration)", 8),
    ("@every h", "@every: h \(duration)", 8),
    ("@every -5m", "@every: -5m \(duration)", 8),
    ("@every 0d0h0m0s", "@every: 0d0h0m0s \(duration)", 8),
    ("@every 1h 30m", "@every: 1h 30m \(duration)", 8),
    ("CRON_TZ=Mars/Olympus 0 0 * * *", "time zone: Mars/Olympus \(zone)", 9),
    ("TZ=Nowhere 0 0 * * *", "time zone: Nowhere \(zone)", 4),
    ("CRON_TZ=UTC", empty, 12),
    ("", empty, 1),
    ("   ", empty, 1),
  ])
  func wholeExpression(expression: String, message: String, column: Int) throws {
    try Self.check(expression, message, column)
  }

  @Test("the error carries its part, token and problem as values")
  func structuredError() throws {
    let range = try Support.rejection("0 0 32 * *")
    #expect(range.part == .field(.dayOfMonth))
    #expect(range.token == "32")
    #expect(range.problem == .outOfRange(1...31))
    #expect(try Support.rejection("0 0 30 2 *").problem == .neverFires(months: "2"))
    #expect(try Support.rejection("0 0 0 29 2 * 2100").problem == .neverFires(months: nil))
    #expect(try Support.rejection("* * * *").problem == .fieldCount(4))
    #expect(try Support.rejection("* * * *").part == .expression)
    #expect(try Support.rejection("@every 5x").part == .every)
    #expect(try Support.rejection("CRON_TZ=Mars/Olympus @daily").part == .timeZone)
    #expect(try Support.rejection("5-1 * * * *").problem == .runsBackwards(split: "5-59,0-1"))
    #expect(try Support.rejection("? * * * *").problem == .onlyInDayFields)
  }

  @Test("edge inputs that are valid are accepted", arguments: [
    "0 0 ? * ?", "0 0 30 2 MON", "0 0 ? 2 SUN#5", "0 0 * * SUN-SUN", "0 0 L-30 * *", "0 0 31 1-12 *",
    "0 0 * * 0-7", "0 0 29 2 *", "0 0 0 1 1 * 1970", "0 0 0 1 1 * 2199", "59 59 23 31 12 * 2199", "0 0 1W * *",
    "  0   0  *  *  *  ", "0\t0\t*\t*\t*", "@every 1d", "@every 1s", "CRON_TZ=Etc/GMT+5 @hourly", "TZ=UTC @reboot",
    "H(0-0) * * * *", "0 0 1 * MON#5", "0 0 * * 5#5,1L",
  ])
  func accepted(expression: String) throws {
    _ = try Schedule(expression)
  }
}
