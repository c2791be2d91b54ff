import CronppSchedule
import Foundation
import PropertyBased
import Testing

/// `LocalTime` reads instants through the engine's offset table; Foundation's Calendar is
/// the independent reference it must agree with.
struct LocalTimeTests {
  @Test("wall time, weekday and offset agree with Foundation's Calendar in every zone")
  func agreesWithFoundation() async throws {
    let zones = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia", "Asia/Kolkata", "America/Sao_Paulo"]
      .compactMap(TimeZone.init(identifier:))
    await propertyCheck(count: 500, input: Gen.int(in: 0...7_258_000_000), Gen.int(in: 0...(zones.count - 1))) { seconds, z in
      let instant = Date(timeIntervalSince1970: Double(seconds))
      let local = LocalTime(instant, in: zones[z])
      #expect(local.rfc3339 == Support.rfc3339(instant, in: zones[z]))
      #expect(local.weekday == Support.calendar(in: zones[z]).component(.weekday, from: instant) - 1)
    }
  }

  @Test("RFC 3339 pads every part and prints UTC as +00:00", arguments: [
    (0.0, "UTC", "1970-01-01T00:00:00+00:00"),
    (1_772_953_200, "America/New_York", "2026-03-08T03:00:00-04:00"),
    (1_325_239_200, "Pacific/Apia", "2011-12-31T00:00:00+14:00"),
    (1_767_225_600, "Asia/Kolkata", "2026-01-01T05:30:00+05:30"),
  ])
  func formatting(seconds: Double, zone: String, expected: String) throws {
    let tz = try #require(TimeZone(identifier: zone))
    #expect(LocalTime(Date(timeIntervalSince1970: seconds), in: tz).rfc3339 == expected)
  }
}
