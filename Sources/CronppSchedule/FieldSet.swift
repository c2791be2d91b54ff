/// The values of one field as a bitset: bit `v` set means value `v` matches.
/// Fields span at most 0-59, so one word holds any of them and a lookup is a shift and a mask.
public struct FieldSet: Sendable, Hashable {
  public private(set) var bits: UInt64

  public init(bits: UInt64 = 0) { self.bits = bits }

  public init(_ values: some Sequence<Int>) {
    bits = 0
    for value in values { insert(value) }
  }

  public mutating func insert(_ value: Int) { bits |= 1 << UInt64(value) }

  public func contains(_ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }

  public var isEmpty: Bool { bits == 0 }

  public var count: Int { bits.nonzeroBitCount }

  /// The values in ascending order.
  public var values: [Int] {
    var out: [Int] = []
    var rest = bits
    while rest != 0 {
      out.append(rest.trailingZeroBitCount)
      rest &= rest - 1
    }
    return out
  }

  /// The smallest value at or after `value`, if any.
  @inline(__always)
  func first(atOrAfter value: Int) -> Int? {
    guard value < 64 else { return nil }
    let rest = value <= 0 ? bits : bits & ~((1 << UInt64(value)) &- 1)
    return rest == 0 ? nil : rest.trailingZeroBitCount
  }

  /// The largest value at or before `value`, if any.
  @inline(__always)
  func last(atOrBefore value: Int) -> Int? {
    guard value >= 0 else { return nil }
    let rest = value >= 63 ? bits : bits & ((1 << UInt64(value + 1)) &- 1)
    return rest == 0 ? nil : 63 - rest.leadingZeroBitCount
  }
}

/// The years 1970-2199 as a bitset of four words.
public struct YearSet: Sendable, Hashable {
  private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  private static let base = Field.years.lowerBound

  public init(_ years: some Sequence<Int>) {
    for year in years { insert(year) }
  }

  public static func == (a: YearSet, b: YearSet) -> Bool { a.words == b.words }
  public func hash(into hasher: inout Hasher) {
    hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
  }

  mutating func insert(_ year: Int) {
    let i = year - Self.base
    let bit = UInt64(1) << UInt64(i % 64)
    switch i / 64 {
    case 0: words.0 |= bit
    case 1: words.1 |= bit
    case 2: words.2 |= bit
    default: words.3 |= bit
    }
  }

  private func word(_ n: Int) -> FieldSet {
    switch n {
    case 0: FieldSet(bits: words.0)
    case 1: FieldSet(bits: words.1)
    case 2: FieldSet(bits: words.2)
    default: FieldSet(bits: words.3)
    }
  }

  public func contains(_ year: Int) -> Bool {
    guard Field.years.contains(year) else { return false }
    let i = year - Self.base
    return word(i / 64).contains(i % 64)
  }

  public var values: [Int] { Field.years.filter(contains) }

  public var isEmpty: Bool { words == (0, 0, 0, 0) }

  func first(atOrAfter year: Int) -> Int? {
    var i = max(year, Self.base) - Self.base
    while i / 64 < 4 {
      if let bit = word(i / 64).first(atOrAfter: i % 64) { return Self.base + (i / 64) * 64 + bit }
      i = (i / 64 + 1) * 64
    }
    return nil
  }

  func last(atOrBefore year: Int) -> Int? {
    var i = min(year, Field.years.upperBound) - Self.base
    while i >= 0 {
      if let bit = word(i / 64).last(atOrBefore: i % 64) { return Self.base + (i / 64) * 64 + bit }
      i = (i / 64) * 64 - 1
    }
    return nil
  }
}

extension Array where Element == Int {
  /// Maximal runs of consecutive values in ascending values: `[0,1,2,5]` -> `[0...2, 5...5]`.
  public var consecutiveRuns: [ClosedRange<Int>] {
    var runs: [ClosedRange<Int>] = []
    for value in self {
      if let run = runs.last, run.upperBound + 1 == value {
        runs[runs.count - 1] = run.lowerBound...value
      } else {
        runs.append(value...value)
      }
    }
    return runs
  }
}
