import CronppSchedule
import Foundation

/// How instants print: RFC 3339 with the zone's offset, a weekday, and a relative "in 3h 12m".
struct TimeRendering {
  let zone: TimeZone

  /// `2026-03-08T03:00:00-04:00`; UTC prints as `+00:00`.
  func rfc3339(_ date: Date) -> String { LocalTime(date, in: zone).rfc3339 }

  /// The zone's IANA name; Foundation on Linux names UTC "GMT", which users did not write.
  static func displayName(of zone: TimeZone) -> String {
    zone.identifier == "GMT" ? "UTC" : zone.identifier
  }

  private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

  func weekday(_ date: Date) -> String { Self.weekdays[LocalTime(date, in: zone).weekday] }

  /// The two largest units of the time from `now` to `date`, in whole seconds: "in 45s", "in 3h 12m", "in 2d 4h".
  static func relative(_ date: Date, from now: Date) -> String {
    // Whole seconds away from zero: a fire 0.4 s ahead reads "in 1s", never "in 0s".
    let interval = date.timeIntervalSince(now)
    guard interval >= 0 else { return "\(relativeMagnitude(Int((-interval).rounded(.up)))) ago" }
    return "in \(relativeMagnitude(Int(interval.rounded(.up))))"
  }

  private static func relativeMagnitude(_ seconds: Int) -> String {
    let units = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
    guard let first = units.firstIndex(where: { seconds >= $0.1 }) else { return "0s" }
    let (name, size) = units[first]
    var text = "\(seconds / size)\(name)"
    if first + 1 < units.count {
      let (nextName, nextSize) = units[first + 1]
      let rest = seconds % size / nextSize
      if rest > 0 { text += " \(rest)\(nextName)" }
    }
    return text
  }

  /// One line of a fire-time listing: `2026-03-08T03:00:00-04:00  Sun  in 1d 3h`.
  func listing(_ date: Date, now: Date) -> String {
    "\(rfc3339(date))  \(weekday(date))  \(Self.relative(date, from: now))"
  }
}
