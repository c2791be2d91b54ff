import Foundation
import Testing

@testable import CronppSchedule

/// `Schedule.englishDescription(zone:)`: exact sentences for every syntax element.
@Suite("English descriptions")
struct DescriptionTests {
  private func describe(_ expression: String, zone: TimeZone? = nil) throws -> String {
    try Schedule(expression).englishDescription(zone: zone)
  }

  @Test("the issue's example reads exactly as the issue asks")
  func issueExample() throws {
    #expect(try describe("*/15 9-17 * * MON-FRI") == "Every 15 minutes, between 09:00 and 17:59, Monday through Friday")
  }

  @Test("macros read as the schedules they stand for", arguments: [
    ("@daily", "Every day at 00:00"),
    ("@midnight", "Every day at 00:00"),
    ("@hourly", "At minute 0 past every hour"),
    ("@weekly", "At 00:00 on Sunday"),
    ("@monthly", "At 00:00 on day 1 of the month"),
    ("@yearly", "At 00:00 on January 1"),
    ("@annually", "At 00:00 on January 1"),
  ])
  func macros(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("@every names its period and its Unix-epoch anchor, and @reboot names start-up", arguments: [
    ("@every 90m", "Every 1 hour and 30 minutes, counted from the Unix epoch"),
    ("@every 15m", "Every 15 minutes, counted from the Unix epoch"),
    ("@every 1h", "Every hour, counted from the Unix epoch"),
    ("@every 2d", "Every 2 days, counted from the Unix epoch"),
    ("@every 90s", "Every 1 minute and 30 seconds, counted from the Unix epoch"),
    ("@every 1d2h5m7s", "Every 1 day, 2 hours, 5 minutes and 7 seconds, counted from the Unix epoch"),
    ("@reboot", "Once, when cronpp serve starts"),
  ])
  func everyAndReboot(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("a seconds field reads as seconds, bounded by the minutes and hours", arguments: [
    ("* * * * * *", "Every second"),
    ("*/10 * * * * *", "Every 10 seconds"),
    ("*/7 * * * * *", "Every 7 seconds from second 0 through 56"),
    ("30 * * * * *", "Every minute, at second 30"),
    ("0,30 * * * * *", "At seconds 0 and 30 of every minute"),
    ("* 5 * * * *", "Every second, during minute 5 of every hour"),
    ("* 5 9 * * *", "Every second, between 09:05:00 and 09:05:59"),
    ("*/10 */15 * * * *", "Every 10 seconds, during every 15th minute"),
    ("* * 9 * * *", "Every second, between 09:00 and 09:59"),
    ("15 5 * * * *", "At second 15 of minute 5 past every hour"),
    ("15 0 */2 * * *", "Every 2 hours from 00:00:15 through 22:00:15"),
    ("*/20 0 * * * *", "Every 20 seconds, during minute 0 of every hour"),
  ])
  func seconds(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("a few fire times a day read as clock times", arguments: [
    ("30 9 * * *", "Every day at 09:30"),
    ("30 9,17 * * *", "Every day at 09:30 and 17:30"),
    ("0,30 9,17 * * *", "Every day at 09:00, 09:30, 17:00 and 17:30"),
    ("15 30 9 * * *", "Every day at 09:30:15"),
  ])
  func clockTimes(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("a fixed minute reads against its hours", arguments: [
    ("5 * * * *", "At minute 5 past every hour"),
    ("0 * * * *", "At minute 0 past every hour"),
    ("0 */2 * * *", "Every 2 hours from 00:00 through 22:00"),
    ("30 9-17/2 * * *", "Every 2 hours from 09:30 through 17:30"),
    ("0 9-17 * * *", "Every hour from 09:00 through 17:00"),
    ("0 0,2,4,6,8,10,12 * * *", "At minute 0 past hours 0, 2, 4, 6, 8, 10 and 12"),
    ("0 0-5,12-17 * * *", "At minute 0 past hours 0 through 5 and 12 through 17"),
    ("0,7,13,59 * * * *", "At minutes 0, 7, 13 and 59 past every hour"),
    ("0,30 9-17 * * *", "At minutes 0 and 30 past hours 9 through 17"),
    ("0,30 */2 * * *", "At minutes 0 and 30 past every 2nd hour"),
    ("0,5,10,15,20,25,30 9 * * *", "At minutes 0, 5, 10, 15, 20, 25 and 30 past hour 9"),
  ])
  func fixedMinute(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("repeating minutes read as a step or span within hour windows", arguments: [
    ("* * * * *", "Every minute"),
    ("0-29 9-17 * * *", "Every minute from minute 0 through 29, between 09:00 and 17:59"),
    ("5/15 * * * *", "Every 15 minutes from minute 5 through 50"),
    ("*/7 * * * *", "Every 7 minutes from minute 0 through 56"),
    ("*/15 9,17 * * *", "Every 15 minutes, between 09:00 and 09:59 and between 17:00 and 17:59"),
    ("*/15 1,3,5,7 * * *", "Every 15 minutes, during hours 1, 3, 5 and 7"),
    ("*/15 */3 * * *", "Every 15 minutes, during every 3rd hour"),
  ])
  func repeatingMinutes(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("day-of-month values and L, L-n, nW and LW read as days of the month", arguments: [
    ("0 0 1 * *", "At 00:00 on day 1 of the month"),
    ("0 12 L * *", "At 12:00 on the last day of the month"),
    ("0 0 L-1 * *", "At 00:00 on the second-to-last day of the month"),
    ("0 0 L-3 * *", "At 00:00 on the fourth-to-last day of the month"),
    ("0 0 L-14 * *", "At 00:00 on the 15th-to-last day of the month"),
    ("0 0 15W * *", "At 00:00 on the weekday nearest day 15 of the month"),
    ("0 0 1W * *", "At 00:00 on the weekday nearest day 1 of the month"),
    ("0 0 LW * *", "At 00:00 on the last weekday of the month"),
    ("0 0 1,15 * *", "At 00:00 on days 1 and 15 of the month"),
    ("0 0 1,15,L * *", "At 00:00 on days 1 and 15 and the last day of the month"),
    ("0 0 1-7 * *", "At 00:00 on days 1 through 7 of the month"),
    ("0 0 */2 * *", "At 00:00 on every 2nd day of the month"),
    ("0 0 1-15/3 * *", "At 00:00 on every 3rd day from day 1 through 13 of the month"),
    ("0 0 L-1,L * *", "At 00:00 on the second-to-last day and the last day of the month"),
  ])
  func daysOfMonth(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("day-of-week names, ranges, nL and n#k read as weekdays", arguments: [
    ("0 0 * * 5L", "At 00:00 on the last Friday of the month"),
    ("0 0 * * 1#2", "At 00:00 on the second Monday of the month"),
    ("0 0 * * MON#1,MON#3", "At 00:00 on the first and third Monday of the month"),
    ("0 0 * * 5#2,5L", "At 00:00 on the second and last Friday of the month"),
    ("0 0 * * FRI-SUN", "At 00:00, Friday through Sunday"),
    ("0 0 * * SAT,SUN", "At 00:00 on Saturday and Sunday"),
    ("0 0 * * 1,3,5", "At 00:00 on Monday, Wednesday and Friday"),
    ("0 0 * * 0-2", "At 00:00, Sunday through Tuesday"),
    ("0 0 * * 7", "At 00:00 on Sunday"),
    ("0 0 * * */2", "At 00:00 on Tuesday, Thursday, Saturday and Sunday"),
    ("0 0 * * MON,5L", "At 00:00 on Monday and the last Friday of the month"),
    ("0 9 * * MON-FRI", "At 09:00, Monday through Friday"),
    ("0 0 ? * MON", "At 00:00 on Monday"),
  ])
  func daysOfWeek(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("restricting both day fields shows the OR rule", arguments: [
    ("0 0 1 * MON", "At 00:00 on day 1 of the month or on Monday"),
    ("0 0 1,15 * MON-FRI", "At 00:00 on days 1 and 15 of the month or on Monday through Friday"),
    ("0 0 L * 5L", "At 00:00 on the last day of the month or on the last Friday of the month"),
    ("0 0 L * MON", "At 00:00 on the last day of the month or on Monday"),
  ])
  func eitherDay(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("a day field starting with * narrows the other one (AND)", arguments: [
    ("0 0 */2 * MON", "At 00:00 on every 2nd day of the month, if it falls on Monday"),
    ("0 0 1 * */2", "At 00:00 on day 1 of the month, if it falls on Tuesday, Thursday, Saturday or Sunday"),
    ("0 0 */2 * 1#1", "At 00:00 on every 2nd day of the month, if it falls on the first Monday of the month"),
  ])
  func bothDays(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("a day field that matches every day leaves no day restriction", arguments: [
    ("0 0 1-31 * MON", "Every day at 00:00"),
    ("0 0 * * 0-6", "Every day at 00:00"),
  ])
  func everyDay(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("months read by name and fold into a day-of-month phrase", arguments: [
    ("0 0 * 1,7 *", "Every day at 00:00 in January and July"),
    ("0 0 1 1,7 *", "At 00:00 on day 1 of January and July"),
    ("0 0 1 1 *", "At 00:00 on January 1"),
    ("0 0 L 2 *", "At 00:00 on the last day of February"),
    ("0 0 * 2 5L", "At 00:00 on the last Friday of February"),
    ("0 0 * 5 1#2", "At 00:00 on the second Monday of May"),
    ("0 0 * JAN-MAR,OCT MON-FRI", "At 00:00, Monday through Friday, in January through March and October"),
    ("*/5 * * JAN *", "Every 5 minutes in January"),
    ("0 0 1 */3 *", "At 00:00 on day 1 of January, April, July and October"),
    ("0 0 5W 6 *", "At 00:00 on the weekday nearest day 5 of June"),
  ])
  func months(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("a year field follows the rest after a comma", arguments: [
    ("0 0 12 1/2 * ? 2030", "At 12:00 on every 2nd day of the month, in 2030"),
    ("0 0 0 1 1 * 2025-2030", "At 00:00 on January 1, in 2025 through 2030"),
    ("0 0 0 1 1 * 2024/4", "At 00:00 on January 1, every 4 years from 2024 through 2196"),
    ("0 0 0 1 1 * */2", "At 00:00 on January 1, every 2 years from 1970 through 2198"),
    ("0 0 0 1 1 * 2025,2027,2030", "At 00:00 on January 1, in 2025, 2027 and 2030"),
    ("0 0 * * * * 2030", "At minute 0 past every hour, in 2030"),
    ("0 0,30 0 1 1 * 2030", "At 00:00 and 00:30 on January 1, in 2030"),
  ])
  func years(expression: String, description: String) throws {
    #expect(try describe(expression) == description)
  }

  @Test("a zone given by the caller is named last", arguments: [
    ("0 9 * * *", "Europe/Berlin", "Every day at 09:00, in Europe/Berlin time"),
    ("*/15 9-17 * * MON-FRI", "America/New_York", "Every 15 minutes, between 09:00 and 17:59, Monday through Friday, in America/New_York time"),
    ("0 0 * 1,7 *", "Asia/Tokyo", "Every day at 00:00 in January and July, in Asia/Tokyo time"),
    ("0 0 1 1 *", "UTC", "At 00:00 on January 1, in UTC"),
    ("0 0 1 1 *", "Etc/UTC", "At 00:00 on January 1, in UTC"),
    ("0 0 1 1 *", "GMT", "At 00:00 on January 1, in UTC"),
  ])
  func givenZone(expression: String, zoneName: String, description: String) throws {
    let zone = try #require(TimeZone(identifier: zoneName))
    #expect(try describe(expression, zone: zone) == description)
  }

  @Test("a CRON_TZ= or TZ= prefix names its zone and wins over the zone given", arguments: [
    ("CRON_TZ=Europe/Berlin 0 9 * * *", "Every day at 09:00, in Europe/Berlin time"),
    ("TZ=America/New_York */15 9-17 * * MON-FRI", "Every 15 minutes, between 09:00 and 17:59, Monday through Friday, in America/New_York time"),
    ("CRON_TZ=Australia/Lord_Howe 30 2 * * SUN", "At 02:30 on Sunday, in Australia/Lord_Howe time"),
  ])
  func prefixZone(expression: String, description: String) throws {
    let other = try #require(TimeZone(identifier: "Asia/Tokyo"))
    #expect(try describe(expression) == description)
    #expect(try describe(expression, zone: other) == description)
  }

  @Test("@every and @reboot name no zone, since none changes when they fire", arguments: [
    ("@every 90m", "Every 1 hour and 30 minutes, counted from the Unix epoch"),
    ("CRON_TZ=Europe/Berlin @reboot", "Once, when cronpp serve starts"),
  ])
  func zonelessKinds(expression: String, description: String) throws {
    let zone = try #require(TimeZone(identifier: "Europe/Berlin"))
    #expect(try describe(expression, zone: zone) == description)
  }

  @Test("H forms read as the concrete values they picked for the seed", arguments: [
    ("H H * * *", "backup", "Every day at 06:15"),
    ("H H * * *", "nightly", "Every day at 15:42"),
    ("H/15 * * * *", "backup", "Every 15 minutes"),
    ("H/15 * * * *", "report", "Every 15 minutes from minute 9 through 54"),
    ("0 H(9-17) * * H", "backup", "At 09:00 on Tuesday"),
    ("0 H(9-17) * * H", "cleanup", "At 10:00 on Saturday"),
    ("H H(0-5) H * *", "report", "At 03:54 on day 10 of the month"),
    ("H/20 H/6 * * *", "backup", "Every 20 minutes from minute 15 through 55, during every 6th hour"),
    ("H/20 H/6 * * *", "cleanup", "Every 20 minutes from minute 17 through 57, during every 6th hour from 01:00 through 19:59"),
  ])
  func hashed(expression: String, seed: String, description: String) throws {
    let schedule = try Schedule(expression, seed: seed)
    #expect(schedule.usesHash)
    #expect(schedule.englishDescription() == description)
  }
}
