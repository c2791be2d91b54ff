import CronppSchedule
import Foundation
import PropertyBased
import Testing

/// Properties over random valid expressions, instants 1975-2190 and zones with DST. Each
/// generated expression carries its own model of what it matches (built while writing the
/// text, not by parsing it), and `Model` checks wall times through Foundation's Calendar.
struct PropertyTests {
  static let zones = [
    "UTC", "America/New_York", "Europe/London", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia",
    "America/Sao_Paulo", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Africa/Casablanca",
  ]
  static let earliest: Int64 = 157_766_400  // 1975-01-01T00:00:00Z
  static let latest: Int64 = 6_942_585_600  // 2190-01-01T00:00:00Z

  static func expressions(_ density: ExpressionMaker.Density, fields: [Int] = [5, 6, 7], prefix: Bool = true) -> Generator<GeneratedExpression, Shrink.None<GeneratedExpression>> {
    Generator { rng in ExpressionMaker.make(density, fields: fields, zones: prefix ? zones : [], using: &rng) }
  }

  /// A start instant: random, or (when `nudge` is not negative) `nudge` seconds before the
  /// zone's next transition, where the interesting cases are.
  static func start(_ seconds: Int64, nudge: Int, zone: TimeZone) -> Int64 {
    guard nudge >= 0, let t = zone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: Double(seconds))) else { return seconds }
    return min(Int64(t.timeIntervalSince1970) - Int64(nudge), latest)
  }

  static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: Double(seconds)) }

  @Test("fires come after the start, strictly increase, match in their zone and never sit in a gap")
  func firesMatch() async {
    await propertyCheck(count: 300, input: Self.expressions(.sparse), Gen.int64(in: Self.earliest...Self.latest), Gen.int(in: 0...(Self.zones.count - 1)), Gen.int(in: -1...172_800)) { generated, seconds, zoneIndex, nudge in
      let schedule = try Schedule(generated.text, seed: "property")
      let passed = try Support.zone(Self.zones[zoneIndex])
      let zone = schedule.timeZone ?? passed
      let from = Self.start(seconds, nudge: nudge, zone: zone)
      let model = Model(generated, zone: zone)
      let fires = schedule.fires(after: Self.date(from), in: passed).prefix(8).map { Int64($0.timeIntervalSince1970) }
      #expect(fires.first.map { $0 > from } ?? true)
      #expect(zip(fires, fires.dropFirst()).allSatisfy { $0 < $1 })
      for fire in fires {
        let shown = Support.rfc3339(Self.date(fire), in: zone)
        #expect(model.matches(fire) || (!generated.isWildcard && model.isGapFire(fire)), "\(shown) does not match")
        #expect(generated.isWildcard || !model.isSecondPass(fire), "\(shown) repeats a wall time that already fired")
        #expect(model.wallTimeExists(fire), "\(shown) is in a gap")
      }
    }
  }

  @Test("nextFire and previousFire agree: each finds what the other steps over")
  func nextAndPreviousAgree() async {
    await propertyCheck(count: 300, input: Self.expressions(.sparse), Gen.int64(in: Self.earliest...Self.latest), Gen.int(in: 0...(Self.zones.count - 1)), Gen.int(in: -1...172_800)) { generated, seconds, zoneIndex, nudge in
      let schedule = try Schedule(generated.text, seed: "property")
      let zone = try Support.zone(Self.zones[zoneIndex])
      let t = Self.start(seconds, nudge: nudge, zone: schedule.timeZone ?? zone)
      let lastAtOrBefore = schedule.previousFire(before: Self.date(t + 1), in: zone)
      let firstAtOrAfter = schedule.nextFire(after: Self.date(t - 1), in: zone)
      if let next = schedule.nextFire(after: Self.date(t), in: zone) {
        // Nothing fires in (t, next), so the fire before `next` is the last one at or before t.
        let previous = schedule.previousFire(before: next, in: zone)
        #expect(previous == lastAtOrBefore)
        #expect(previous.map { $0 <= Self.date(t) } ?? true)
      }
      if let previous = schedule.previousFire(before: Self.date(t), in: zone) {
        let next = schedule.nextFire(after: previous, in: zone)
        #expect(next == firstAtOrAfter)
        #expect(next.map { $0 >= Self.date(t) } ?? true)
      }
      // Walking back from the sixth fire retraces the first five.
      let fires = Array(schedule.fires(after: Self.date(t), in: zone).prefix(6))
      var walked: [Date] = []
      var cursor = fires.last
      while let c = cursor, walked.count < fires.count - 1, let previous = schedule.previousFire(before: c, in: zone) {
        walked.insert(previous, at: 0)
        cursor = previous
      }
      #expect(walked == Array(fires.dropLast()))
      // Fractions of a second: a fire is after anything just before it and before anything just after.
      if let first = fires.first {
        #expect(schedule.nextFire(after: first.addingTimeInterval(-0.5), in: zone) == first)
        #expect(schedule.previousFire(before: first.addingTimeInterval(0.5), in: zone) == first)
      }
    }
  }

  @Test("the instants do not depend on the zone a start is written in, and CRON_TZ= beats the passed zone")
  func zoneIndependence() async {
    await propertyCheck(count: 200, input: Self.expressions(.sparse, prefix: false), Gen.int64(in: Self.earliest...Self.latest), Gen.int(in: 0...(Self.zones.count - 1)), Gen.int(in: 0...(Self.zones.count - 1))) { generated, seconds, zoneIndex, otherIndex in
      let zone = try Support.zone(Self.zones[zoneIndex]), other = try Support.zone(Self.zones[otherIndex])
      let plain = try Schedule(generated.text)
      let expected = Array(plain.fires(after: Self.date(seconds), in: zone).prefix(5))
      // The same instant written with another zone's offset.
      let rewritten = try Support.instant(Support.rfc3339(Self.date(seconds), in: other))
      #expect(Array(plain.fires(after: rewritten, in: zone).prefix(5)) == expected)
      // The zone as a prefix wins over whatever zone is passed.
      let prefixed = try Schedule("CRON_TZ=\(zone.identifier) \(generated.text)")
      #expect(Array(prefixed.fires(after: Self.date(seconds), in: other).prefix(5)) == expected)
      #expect(prefixed.previousFire(before: Self.date(seconds), in: other) == plain.previousFire(before: Self.date(seconds), in: zone))
    }
  }

  @Test("5-field fires equal a minute-by-minute walk over three days", arguments: ["UTC", "America/New_York", "America/Sao_Paulo", "Pacific/Apia"])
  func bruteForceMinutes(zoneName: String) async throws {
    let zone = try Support.zone(zoneName)
    await propertyCheck(count: 30, input: Self.expressions(.dense, fields: [5], prefix: false), Gen.int64(in: Self.earliest...Self.latest), Gen.int(in: -1...172_800)) { generated, seconds, nudge in
      let from = Self.start(seconds, nudge: nudge, zone: zoneName == "UTC" ? try Support.zone("America/New_York") : zone)
      let end = from + 3 * 86_400
      let schedule = try Schedule(generated.text)
      let actual = schedule.fires(after: Self.date(from), in: zone).prefix { $0 <= Self.date(end) }.map { Int64($0.timeIntervalSince1970) }
      let expected = Model(generated, zone: zone).walk(after: from, through: end, step: 60)
      #expect(actual == expected, "\(actual.count) vs \(expected.count) fires")
    }
  }

  @Test("6-field fires equal a second-by-second walk over two hours", arguments: ["UTC", "America/New_York", "Australia/Lord_Howe", "Pacific/Apia"])
  func bruteForceSeconds(zoneName: String) async throws {
    let zone = try Support.zone(zoneName)
    await propertyCheck(count: 20, input: Self.expressions(.dense, fields: [6], prefix: false), Gen.int64(in: Self.earliest...Self.latest), Gen.int(in: -1...7200)) { generated, seconds, nudge in
      let from = Self.start(seconds, nudge: nudge, zone: zone)
      let end = from + 7200
      let schedule = try Schedule(generated.text)
      let actual = schedule.fires(after: Self.date(from), in: zone).prefix { $0 <= Self.date(end) }.map { Int64($0.timeIntervalSince1970) }
      let expected = Model(generated, zone: zone).walk(after: from, through: end, step: 1)
      #expect(actual == expected, "\(actual.count) vs \(expected.count) fires")
    }
  }

  @Test("@every fires at consecutive multiples of its period since the epoch")
  func everyIsFixedRate() async {
    await propertyCheck(count: 200, input: Gen.int(in: 1...200_000), Gen.int64(in: Self.earliest...Self.latest), Gen.int(in: 0...(Self.zones.count - 1))) { period, seconds, zoneIndex in
      let schedule = try Schedule("@every \(period)s")
      let fires = schedule.fires(after: Self.date(seconds), in: try Support.zone(Self.zones[zoneIndex])).prefix(4).map { Int64($0.timeIntervalSince1970) }
      #expect(fires.count == 4)
      #expect(fires.allSatisfy { $0 % Int64(period) == 0 })
      #expect(fires.first.map { $0 > seconds && $0 - Int64(period) <= seconds } ?? false)
      #expect(zip(fires, fires.dropFirst()).allSatisfy { $1 - $0 == Int64(period) })
    }
  }
}

/// One field of a generated expression: its text and, worked out alongside it, what it matches.
struct FieldModel: Sendable {
  enum DaySpecial: Sendable { case last(offset: Int), nearestWeekday(Int), lastWeekday, lastOf(Int), nth(Int, k: Int) }
  var text: String
  var values: Set<Int>
  var specials: [DaySpecial] = []
  var startsWithStar: Bool { text.hasPrefix("*") || text.hasPrefix("?") }
}

struct GeneratedExpression: Sendable, CustomStringConvertible {
  /// second, minute, hour, day-of-month, month, day-of-week, year; 5-field expressions
  /// write neither the second (always 0) nor the year.
  var fields: [FieldModel]
  var count: Int
  var zone: String?
  var text: String {
    let written = count == 5 ? fields[1...5] : count == 6 ? fields[0...5] : fields[0...6]
    return ((zone.map { ["CRON_TZ=\($0)"] } ?? []) + written.map(\.text)).joined(separator: " ")
  }
  var description: String { text }
  var isWildcard: Bool { fields[0...2].contains(where: \.startsWithStar) }
}

/// Writes random valid expressions. `.dense` ones fire often (for brute-force windows).
enum ExpressionMaker {
  enum Density { case sparse, dense }
  static let months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
  static let weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

  static func make(_ density: Density, fields: [Int], zones: [String], using rng: inout some RandomNumberGenerator) -> GeneratedExpression {
    while true {
      let dense = density == .dense
      func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
      let count = fields.randomElement(using: &rng) ?? 5
      let generated = GeneratedExpression(
        fields: [
          count == 5 ? FieldModel(text: "0", values: [0]) : numeric(0...59, star: 0.3, names: nil, using: &rng),
          numeric(0...59, star: 0.25, names: nil, using: &rng),
          earlyHours(numeric(0...23, star: dense ? 0.5 : 0.3, names: nil, using: &rng), &rng),
          chance(dense ? 0.85 : 0.5) ? star(1...31, &rng) : days(&rng),
          chance(dense ? 0.9 : 0.6) ? star(1...12, &rng) : numeric(1...12, star: 0, names: months, using: &rng),
          chance(dense ? 0.75 : 0.5) ? star(0...6, &rng) : weekdays(&rng),
          count < 7 || chance(0.5) ? FieldModel(text: "*", values: Set(1970...2199)) : years(&rng),
        ],
        count: count,
        zone: chance(0.2) ? zones.randomElement(using: &rng) : nil)
      do {
        _ = try Schedule(generated.text)
        return generated
      } catch {
        // Only expressions that never fire are dropped; any other error fails the property.
        if case .neverFires = error.problem { continue }
        return generated
      }
    }
  }

  static func star(_ range: ClosedRange<Int>, _ rng: inout some RandomNumberGenerator) -> FieldModel {
    FieldModel(text: Bool.random(using: &rng) || range.lowerBound != 1 || range.upperBound != 31 ? "*" : "?", values: Set(range))
  }

  /// Most zones shift between 00:00 and 03:59, so a fixed hour list often reaches into those hours.
  static func earlyHours(_ field: FieldModel, _ rng: inout some RandomNumberGenerator) -> FieldModel {
    guard !field.startsWithStar, Bool.random(using: &rng) else { return field }
    let hour = Int.random(in: 0...3, using: &rng)
    return FieldModel(text: "\(field.text),\(hour)", values: field.values.union([hour]))
  }

  static func spell(_ name: String, _ rng: inout some RandomNumberGenerator) -> String {
    String(name.map { Bool.random(using: &rng) ? Character($0.lowercased()) : $0 })
  }

  /// A list of values, ranges and steps over `range` (or a leading `*`/`*/n` with chance `star`).
  static func numeric(_ range: ClosedRange<Int>, star: Double, names: [String]?, using rng: inout some RandomNumberGenerator) -> FieldModel {
    if Double.random(in: 0..<1, using: &rng) < star {
      let n = Int.random(in: 1...(range.count + 3), using: &rng)
      return Bool.random(using: &rng)
        ? FieldModel(text: "*", values: Set(range))
        : FieldModel(text: "*/\(n)", values: Set(stride(from: range.lowerBound, through: range.upperBound, by: n)))
    }
    // Day-of-week numbers run 0-7; the model folds 7 (Sunday) into 0 at the end.
    let isWeekday = names?.count == 7
    func name(_ v: Int, end: Bool, after low: Int = 0) -> String {
      guard let names, Bool.random(using: &rng) else { return "\(v)" }
      if isWeekday {
        // SUN starts a range as 0 and ends one as 7, except right after a Sunday start.
        if v == 7 { return end && low > 0 ? spell("SUN", &rng) : "7" }
        if v == 0 && end && low == 0 { return spell("SUN", &rng) }
        return spell(names[v], &rng)
      }
      return spell(names[v - range.lowerBound], &rng)
    }
    var texts: [String] = [], values: Set<Int> = []
    for _ in 0..<Int.random(in: 1...3, using: &rng) {
      let a = Int.random(in: range, using: &rng), b = Int.random(in: a...range.upperBound, using: &rng)
      let n = Int.random(in: 1...(range.count / 2 + 2), using: &rng)
      switch Int.random(in: 0...4, using: &rng) {
      case 0, 1: texts.append(name(a, end: false)); values.insert(a)
      case 2: texts.append("\(name(a, end: false))-\(name(b, end: true, after: a))"); values.formUnion(a...b)
      case 3: texts.append("\(name(a, end: false))-\(name(b, end: true, after: a))/\(n)"); values.formUnion(stride(from: a, through: b, by: n))
      default: texts.append("\(a)/\(n)"); values.formUnion(stride(from: a, through: range.upperBound, by: n))
      }
    }
    if isWeekday, values.contains(7) { values.remove(7); values.insert(0) }
    return FieldModel(text: texts.joined(separator: ","), values: values)
  }

  static func days(_ rng: inout some RandomNumberGenerator) -> FieldModel {
    var field = numeric(1...31, star: 0, names: nil, using: &rng)
    if Bool.random(using: &rng) {
      let special: (String, FieldModel.DaySpecial) =
        switch Int.random(in: 0...3, using: &rng) {
        case 0: ("L", .last(offset: 0))
        case 1: { let n = Int.random(in: 1...30, using: &rng); return ("L-\(n)", .last(offset: n)) }()
        case 2: { let n = Int.random(in: 1...31, using: &rng); return ("\(n)W", .nearestWeekday(n)) }()
        default: ("LW", .lastWeekday)
        }
      field = Bool.random(using: &rng) ? FieldModel(text: special.0, values: [], specials: [special.1]) : FieldModel(text: field.text + "," + special.0, values: field.values, specials: [special.1])
    }
    return field
  }

  static func weekdays(_ rng: inout some RandomNumberGenerator) -> FieldModel {
    var field = numeric(0...7, star: 0.15, names: weekdays, using: &rng)
    if Bool.random(using: &rng) {
      let w = Int.random(in: 0...7, using: &rng), k = Int.random(in: 1...5, using: &rng)
      let weekday = w < 7 && Bool.random(using: &rng) ? spell(weekdays[w], &rng) : "\(w)"
      let special: (String, FieldModel.DaySpecial) = Bool.random(using: &rng) ? ("\(weekday)L", .lastOf(w % 7)) : ("\(weekday)#\(k)", .nth(w % 7, k: k))
      field = field.startsWithStar || Bool.random(using: &rng) ? FieldModel(text: special.0, values: [], specials: [special.1]) : FieldModel(text: field.text + "," + special.0, values: field.values, specials: [special.1])
    }
    return field
  }

  static func years(_ rng: inout some RandomNumberGenerator) -> FieldModel {
    let a = Int.random(in: 1970...2199, using: &rng), b = Int.random(in: a...min(a + 80, 2199), using: &rng), n = Int.random(in: 1...7, using: &rng)
    switch Int.random(in: 0...3, using: &rng) {
    case 0: return FieldModel(text: "\(a)-\(b)", values: Set(a...b))
    case 1: return FieldModel(text: "\(a)/\(n)", values: Set(stride(from: a, through: 2199, by: n)))
    case 2: return FieldModel(text: "*/\(n)", values: Set(stride(from: 1970, through: 2199, by: n)))
    default: return FieldModel(text: "\(a),\(b)", values: [a, b])
    }
  }
}

/// The slow, obviously correct reference: wall-clock fields from Foundation's Calendar, the day
/// specials by their definitions, and DESIGN.md's DST rules by looking at the zone's offsets.
struct Model {
  let expression: GeneratedExpression
  let zone: TimeZone
  let calendar: Calendar
  /// Reads wall-clock seconds (counted like Unix time) as fields, for wall times in a gap.
  let wallCalendar = Support.calendar(in: Support.utc)

  init(_ expression: GeneratedExpression, zone: TimeZone) {
    (self.expression, self.zone, calendar) = (expression, zone, Support.calendar(in: zone))
  }

  func offset(_ t: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: PropertyTests.date(t))) }

  /// Whether the wall time of instant `t` matches every field.
  func matches(_ t: Int64) -> Bool { matches(PropertyTests.date(t), in: calendar) }

  func matches(_ date: Date, in calendar: Calendar) -> Bool {
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    guard let day = c.day, let weekdayOfDay = c.weekday.map({ $0 - 1 }), let length = calendar.range(of: .day, in: .month, for: date)?.count else { return false }
    let f = expression.fields
    for (i, value) in [c.second, c.minute, c.hour, c.month, c.year].enumerated() where !f[[0, 1, 2, 4, 6][i]].values.contains(value ?? -1) {
      return false
    }
    func weekday(of d: Int) -> Int { ((weekdayOfDay + d - day) % 7 + 7) % 7 }
    let workdays = (1...length).filter { (1...5).contains(weekday(of: $0)) }
    func special(_ s: FieldModel.DaySpecial) -> Bool {
      switch s {
      case .last(let offset): day == length - offset
      case .nearestWeekday(let n): n <= length && day == workdays.min { abs($0 - n) < abs($1 - n) }
      case .lastWeekday: day == workdays.last
      case .lastOf(let w): weekdayOfDay == w && day + 7 > length
      case .nth(let w, let k): weekdayOfDay == w && (day - 1) / 7 + 1 == k
      }
    }
    let byDate = f[3].values.contains(day) || f[3].specials.contains(where: special)
    let byWeekday = f[5].values.contains(weekdayOfDay) || f[5].specials.contains(where: special)
    return f[3].startsWithStar || f[5].startsWithStar ? byDate && byWeekday : byDate || byWeekday
  }

  /// A fixed schedule's fire for wall times a spring-forward gap skipped: exactly at the
  /// transition, with some skipped wall time matching.
  func isGapFire(_ t: Int64) -> Bool {
    let before = offset(t - 1), after = offset(t)
    guard after > before else { return false }
    let (start, end) = (t + before, t + after)
    var minute = start - ((start % 60) + 60) % 60
    while minute < end {
      for s in expression.fields[0].values.sorted() where (start..<end).contains(minute + Int64(s)) {
        if matches(PropertyTests.date(minute + Int64(s)), in: wallCalendar) { return true }
      }
      minute += 60
    }
    return false
  }

  /// Whether the wall time of `t` already happened at an earlier instant (a fall-back's second pass).
  func isSecondPass(_ t: Int64) -> Bool {
    guard let transition = zone.nextDaylightSavingTimeTransition(after: PropertyTests.date(t - 2 * 86_400)),
      transition <= PropertyTests.date(t)
    else { return false }
    let wall = t + offset(t)
    let earlierOffsets = Set((1...96).map { offset(t - Int64($0) * 1800) })
    return earlierOffsets.contains { $0 > offset(t) && offset(wall - $0) == $0 }
  }

  /// Whether the wall time of `t` exists: the calendar reads it back to the same fields.
  func wallTimeExists(_ t: Int64) -> Bool {
    let units: Set<Calendar.Component> = [.year, .month, .day, .hour, .minute, .second]
    let fields = calendar.dateComponents(units, from: PropertyTests.date(t))
    return calendar.date(from: fields).map { calendar.dateComponents(units, from: $0) == fields } ?? false
  }

  /// Every `step`-aligned instant in (after, end] that should fire, checked one by one.
  func walk(after: Int64, through end: Int64, step: Int64) -> [Int64] {
    var fires: [Int64] = []
    var t = (after / step + 1) * step
    while t <= end {
      let fixed = !expression.isWildcard
      if (matches(t) && !(fixed && isSecondPass(t))) || (fixed && isGapFire(t)) { fires.append(t) }
      t += step
    }
    return fires
  }
}
