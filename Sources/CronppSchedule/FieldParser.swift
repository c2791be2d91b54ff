/// Parses one field of a cron expression into values and day specials.
/// Tokens are `Substring`s of the whole expression so an error can point at its column.
struct FieldParser {
  let field: Field
  let expression: String
  let seed: String

  struct Result {
    var values = FieldSet()
    /// The year field's values, which do not fit a 64-bit `FieldSet`.
    var years: [Int] = []
    var monthDaySpecials: [MonthDaySpecial] = []
    var weekdaySpecials: [WeekdaySpecial] = []
    var usesHash = false
  }

  func error(_ token: Substring, _ problem: ScheduleError.Problem) -> ScheduleError {
    ScheduleError(.field(field), token: token, column: expression.distance(from: expression.startIndex, to: token.startIndex) + 1, problem: problem)
  }

  func parse(_ text: Substring) throws(ScheduleError) -> Result {
    var result = Result()
    for item in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard !item.isEmpty else { throw error(text, .malformed) }
      try parseItem(item, into: &result)
    }
    if field == .dayOfWeek, result.values.contains(7) {
      result.values = FieldSet(result.values.values.map { $0 % 7 })
    }
    return result
  }

  private func parseItem(_ item: Substring, into result: inout Result) throws(ScheduleError) {
    let upper = item.uppercased()
    if upper == "?" {
      guard field == .dayOfMonth || field == .dayOfWeek else { throw error(item, .onlyInDayFields) }
      result.values = result.values.union(FieldSet(field == .dayOfWeek ? 0...6 : field.range))
      return
    }
    let head = item.prefix { $0 != "/" }
    if let special = try monthDaySpecial(head, head.uppercased()) {
      guard head.count == item.count else { throw error(item, .specialWithStepOrRange) }
      result.monthDaySpecials.append(special)
      return
    }
    if let special = try weekdaySpecial(head, head.uppercased()) {
      guard head.count == item.count else { throw error(item, .specialWithStepOrRange) }
      result.weekdaySpecials.append(special)
      return
    }
    if upper.hasPrefix("H") {
      try parseHash(item, into: &result)
      return
    }

    // base[/step], where base is *, a or a-b.
    let parts = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    let base = parts[0]
    if parts.contains(where: \.isEmpty) || base.hasPrefix("-") || base.hasSuffix("-") { throw error(item, .malformed) }
    var step = 1
    if parts.count == 2 {
      step = try number(parts[1], range: 0...Int.max)
      if step == 0 { throw error(item, .zeroStep) }
    }
    let bounds: ClosedRange<Int>
    if base == "*" {
      bounds = field.range
    } else {
      let ends = base.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
      let low = try value(ends[0], rangeEnd: false)
      if ends.count == 2 {
        let high = try value(ends[1], rangeEnd: low > 0)
        if high < low { throw error(base, .runsBackwards(split: split(ends[0], ends[1]))) }
        bounds = low...high
      } else {
        bounds = low...(parts.count == 2 ? field.range.upperBound : low)
      }
    }
    for v in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) {
      if field == .year { result.years.append(v) } else { result.values.insert(v) }
    }
  }

  /// `L`, `L-n`, `LW`, `nW`; `nil` when the item is none of them.
  private func monthDaySpecial(_ item: Substring, _ upper: String) throws(ScheduleError) -> MonthDaySpecial? {
    let special: MonthDaySpecial
    if upper == "L" {
      special = .last(offset: 0)
    } else if upper == "LW" {
      special = .lastWeekday
    } else if upper.hasPrefix("L-") {
      special = .last(offset: try number(item.dropFirst(2), range: 1...30))
    } else if upper.count > 1, upper.hasSuffix("W"), upper.dropLast().allSatisfy(\.isASCIIDigit) {
      special = .nearestWeekday(try number(item.dropLast(), range: 1...31))
    } else {
      return nil
    }
    guard field == .dayOfMonth else { throw error(item, .onlyInDayOfMonth) }
    return special
  }

  /// `nL`, `n#k` (n a weekday number or name); `nil` when the item is neither.
  private func weekdaySpecial(_ item: Substring, _ upper: String) throws(ScheduleError) -> WeekdaySpecial? {
    if let hash = item.firstIndex(of: "#") {
      guard field == .dayOfWeek else { throw error(item, .onlyInDayOfWeek) }
      let weekdayText = item[..<hash]
      let kText = item[item.index(after: hash)...]
      guard !weekdayText.isEmpty else { throw error(item, .malformed) }
      if weekdayText.contains("-") || weekdayText.contains("/") || kText.contains("/") { throw error(item, .specialWithStepOrRange) }
      let w = try value(weekdayText, rangeEnd: false) % 7
      guard !kText.isEmpty, kText.allSatisfy(\.isASCIIDigit) else { throw error(item, .malformed) }
      guard let k = Int(kText.prefix(3)), (1...5).contains(k), kText.count <= 3 else { throw error(item, .nthOutOfRange) }
      return .nth(weekday: w, k: k)
    }
    let weekdayPart = upper.dropLast()
    guard upper.count > 1, upper.hasSuffix("L"),
      weekdayPart.allSatisfy(\.isASCIIDigit) || Field.weekdayNames[String(weekdayPart)] != nil
    else { return nil }
    guard field == .dayOfWeek else { throw error(item, .onlyInDayOfWeek) }
    return .last(weekday: try value(item.dropLast(), rangeEnd: false) % 7)
  }

  /// `H`, `H/n`, `H(a-b)`, `H(a-b)/n`: a value picked from the seed, stable per field.
  private func parseHash(_ item: Substring, into result: inout Result) throws(ScheduleError) {
    guard field != .year else { throw error(item, .hashNotInYear) }
    var rest = item.dropFirst()
    // Day-of-month picks from 1-28 so the value exists in every month.
    var bounds = field == .dayOfMonth ? 1...28 : field == .dayOfWeek ? 0...6 : field.range
    if rest.first == "(" {
      guard let close = rest.firstIndex(of: ")") else { throw error(item, .malformed) }
      let inner = rest[rest.index(after: rest.startIndex)..<close]
      let ends = inner.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
      guard ends.count == 2, !ends[0].isEmpty, !ends[1].isEmpty else { throw error(item, .malformed) }
      let low = try value(ends[0], rangeEnd: false)
      let high = try value(ends[1], rangeEnd: low > 0)
      if high < low { throw error(inner, .runsBackwards(split: split(ends[0], ends[1]))) }
      bounds = low...high
      rest = rest[rest.index(after: close)...]
    }
    let hash = Int(truncatingIfNeeded: HashSeed.value(seed: seed, field: field) & 0x7FFF_FFFF)
    if rest.isEmpty {
      result.values.insert(bounds.lowerBound + hash % bounds.count)
    } else if rest.first == "/" {
      let step = try number(rest.dropFirst(), range: 0...Int.max)
      if step == 0 { throw error(item, .zeroStep) }
      let start = bounds.lowerBound + hash % min(step, bounds.count)
      for v in stride(from: start, through: bounds.upperBound, by: step) { result.values.insert(v) }
    } else {
      throw error(item, .malformed)
    }
    if field == .dayOfWeek { result.values = FieldSet(result.values.values.map { $0 % 7 }) }
    result.usesHash = true
  }

  /// A backwards range `a-b` as the two ranges that wrap around the field's end: `22-23,0-2`,
  /// `NOV-DEC,JAN-FEB`, `FRI-SAT,SUN-MON`, in the style (names or numbers) it was written in.
  private func split(_ low: Substring, _ high: Substring) -> String {
    if field == .dayOfWeek, low == "7" { return "0-\(high)" }  // 7 is Sunday, the week's start
    let names = low.first?.isLetter == true
    let last = field == .dayOfWeek ? 6 : field.range.upperBound
    let first = field == .dayOfWeek ? 0 : field.range.lowerBound
    func spelled(_ v: Int) -> String {
      guard names else { return "\(v)" }
      return field == .month ? Field.monthAbbreviations[v - 1] : Field.weekdayAbbreviations[v]
    }
    return "\(low)-\(spelled(last)),\(spelled(first))-\(high)"
  }

  /// A number or name in the field's range. `SUN` ending a range reads as 7 (`FRI-SUN`); callers
  /// pass `rangeEnd` false for a range starting at Sunday, so `SUN-SUN` stays one day.
  private func value(_ token: Substring, rangeEnd: Bool) throws(ScheduleError) -> Int {
    if let first = token.first, first.isLetter {
      guard let v = field.names[token.uppercased()] else {
        if field.names.isEmpty { throw error(token, .malformed) }
        throw error(token, .unknownName)
      }
      return rangeEnd && field == .dayOfWeek && v == 0 ? 7 : v
    }
    return try number(token, range: field.range)
  }

  private func number(_ token: Substring, range: ClosedRange<Int>) throws(ScheduleError) -> Int {
    guard !token.isEmpty, token.allSatisfy(\.isASCIIDigit) else { throw error(token, .malformed) }
    guard token.count <= 9, let v = Int(token), range.contains(v) else {
      throw error(token, range.upperBound == Int.max ? .malformed : .outOfRange(range))
    }
    return v
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}

extension FieldSet {
  func union(_ other: FieldSet) -> FieldSet { FieldSet(bits: bits | other.bits) }
}

/// Stable per-name values for `H`: FNV-1a of the seed, mixed with the field (splitmix64)
/// so `H H * * *` does not put minute and hour on the same number.
enum HashSeed {
  static func value(seed: String, field: Field) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in seed.utf8 {
      h ^= UInt64(byte)
      h = h &* 0x100_0000_01b3
    }
    var z = h &+ UInt64(field.rawValue + 1) &* 0x9e37_79b9_7f4a_7c15
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
