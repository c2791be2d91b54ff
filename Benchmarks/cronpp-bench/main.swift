import CronppSchedule
import Foundation
let f = ISO8601DateFormatter()
@MainActor func show(_ e: String, _ z: String, _ from: String, _ n: Int = 6) {
  let tz = TimeZone(identifier: z)!
  f.timeZone = tz
  do {
    let s = try Schedule(e, seed: "x")
    var out: [String] = []
    for d in s.fires(after: f.date(from: from)!, in: tz).prefix(n) { out.append(f.string(from: d)) }
    print(e, z, out)
    let last = out.last.flatMap { f.date(from: $0) }
    if let last { print("  prev:", s.previousFire(before: last, in: tz).map { f.string(from: $0) } ?? "nil") }
  } catch { print(e, "ERROR", error) }
}
show("*/15 9-17 * * MON-FRI", "UTC", "2026-11-25T16:00:00Z")
show("30 2 * * *", "America/New_York", "2026-03-07T00:00:00-05:00", 3)
show("30 1 * * *", "America/New_York", "2026-10-31T00:00:00-04:00", 3)
show("*/30 1 * * *", "America/New_York", "2026-10-31T00:00:00-04:00", 8)
show("0 0 L * *", "UTC", "2026-01-01T00:00:00Z")
show("0 0 15W * *", "UTC", "2026-01-01T00:00:00Z")
show("0 0 * * 5L", "UTC", "2026-01-01T00:00:00Z")
show("0 0 * * MON#2", "UTC", "2026-01-01T00:00:00Z")
show("0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", 3)
show("0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z", 3)
show("0 0 32 * *", "UTC", "2026-01-01T00:00:00Z", 3)
show("@every 90m", "UTC", "2026-01-01T00:00:00Z", 3)
show("CRON_TZ=Europe/Berlin 0 9 * * *", "UTC", "2026-01-01T00:00:00Z", 3)
show("0 12 * * *", "Pacific/Apia", "2011-12-28T00:00:00-10:00", 4)
show("H H * * *", "UTC", "2026-01-01T00:00:00Z", 3)
show("0 0 0 1 1 * 2030", "UTC", "2026-01-01T00:00:00Z", 3)
show("0 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00+10:30", 3)
show("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00+10:30", 3)
show("45 1 * * *", "Australia/Lord_Howe", "2026-04-04T00:00:00+11:00", 3)
show("*/15 1 * * *", "Australia/Lord_Howe", "2026-04-04T00:00:00+11:00", 8)
