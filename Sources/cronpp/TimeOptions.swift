import ArgumentParser
import Foundation

/// `--tz` and `--from`, shared by `next` and `explain`.
struct TimeOptions: ParsableArguments {
  @Option(name: .customLong("tz"), help: ArgumentHelp("Default time zone (IANA name); a CRON_TZ= prefix in the expression wins.", valueName: "zone"))
  var zoneName: String?

  @Option(help: ArgumentHelp("Compute fire times strictly after this instant: RFC 3339 with offset, or a local date-time read in --tz (default: now).", valueName: "instant"))
  var from: String?

  func zone() throws -> TimeZone {
    guard let zoneName else { return TimeZone.current }
    guard let zone = TimeZone(identifier: zoneName) else {
      throw CommandFailure.usage("--tz: \(zoneName) is not a known IANA time zone", hint: "use a name such as Europe/Berlin, America/New_York or UTC")
    }
    return zone
  }

  func start(in zone: TimeZone) throws -> Date {
    guard let from else { return Date() }
    guard let instant = InstantParser.parse(from, in: zone) else {
      throw CommandFailure.usage("--from: '\(from)' is not an instant", hint: "write RFC 3339 (2026-03-08T09:00:00-05:00) or a local date-time (2026-03-08 09:00) read in --tz")
    }
    return instant
  }
}

/// Reads `--from` values: RFC 3339 with an offset or `Z`, or a local date-time without one.
enum InstantParser {
  static func parse(_ text: String, in zone: TimeZone) -> Date? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let withOffset = ISO8601DateFormatter()
    for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
      withOffset.formatOptions = options
      if let date = withOffset.date(from: trimmed) { return date }
    }
    return local(trimmed, in: zone)
  }

  /// `YYYY-MM-DD[( |T)HH:MM[:SS]]`, read as wall time in `zone`. A wall time in a DST gap is
  /// moved forward by the gap (02:30 -> 03:30), one in a repeat reads as the first pass:
  /// Foundation's Calendar does both. Impossible dates (Feb 30) are rejected.
  private static func local(_ text: String, in zone: TimeZone) -> Date? {
    let parts = text.split(whereSeparator: { $0 == "T" || $0 == " " })
    guard (1...2).contains(parts.count), parts[0].count == 10 else { return nil }
    let date = parts[0].split(separator: "-", omittingEmptySubsequences: false)
    let time = parts.count == 2 ? parts[1].split(separator: ":", omittingEmptySubsequences: false) : ["00", "00"]
    guard date.count == 3, (2...3).contains(time.count), time.allSatisfy({ $0.count == 2 }),
      let year = Int(date[0]), let month = Int(date[1]), let day = Int(date[2]),
      let hour = Int(time[0]), let minute = Int(time[1]), let second = time.count == 3 ? Int(time[2]) : 0,
      (1...12).contains(month), (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
    else { return nil }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let firstOfMonth = DateComponents(year: year, month: month, day: 1)
    guard let monthStart = calendar.date(from: firstOfMonth),
      let days = calendar.range(of: .day, in: .month, for: monthStart), days.contains(day)
    else { return nil }
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
  }
}
