import Foundation

/// Writes JSON text as `JSONOutput.print(_, pretty: true)` prints it (`JSONEncoder` with
/// sorted keys, two-space indents, `"key" : value`, slashes unescaped), for listings too
/// long for `JSONEncoder`: `cronpp ls --json` over 10,000 tasks spent most of its time in
/// Codable's per-field calls (BENCHMARKS.md, Store). Callers give keys in sorted order
/// (UTF-8 byte order) and leave out absent optionals, as `JSONEncoder` does.
struct JSONWriter {
  /// The UTF-8 text so far: bytes, since appending to a `String` piece by piece cost more
  /// than the rest of the listing.
  private(set) var bytes: [UInt8] = []
  /// Members written so far in each open object or array, innermost last.
  private var counts: [Int] = []

  /// Bytes held before `flushIfFull` writes them out.
  static let chunk = 1 << 16

  init() {
    bytes.reserveCapacity(Self.chunk + 4096)
  }

  /// Flushes when a chunk's worth is waiting; call between elements of a long array.
  mutating func flushIfFull() {
    if bytes.count >= Self.chunk { flush() }
  }

  /// Writes the text so far to the standard output and forgets it, so a long listing
  /// streams out in chunks instead of growing one buffer.
  mutating func flush() {
    FileHandle.standardOutput.write(Data(bytes))
    bytes.removeAll(keepingCapacity: true)
  }

  /// Writes the rest of the text and a newline to the standard output.
  mutating func finish() {
    bytes.append(0x0A)
    flush()
  }

  mutating func beginObject() { open(UInt8(ascii: "{")) }
  mutating func endObject() { close(UInt8(ascii: "}")) }
  mutating func beginArray() { open(UInt8(ascii: "[")) }
  mutating func endArray() { close(UInt8(ascii: "]")) }

  /// Starts an array element; a value or `begin…` call follows.
  mutating func element() { member() }

  /// Starts a member of an object; a value or `begin…` call follows.
  mutating func key(_ name: String) {
    member()
    string(name)
    bytes.append(contentsOf: " : ".utf8)
  }

  mutating func string(_ value: String) {
    bytes.append(UInt8(ascii: "\""))
    if Self.needsEscapes(value) {
      Self.appendEscaped(value, to: &bytes)
    } else {
      bytes.append(contentsOf: value.utf8)
    }
    bytes.append(UInt8(ascii: "\""))
  }

  mutating func int(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }
  mutating func bool(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }

  /// As `JSONEncoder` writes a finite `Double`: its description without a trailing ".0".
  mutating func number(_ value: Double) {
    var digits = value.isFinite ? value.description : "null"
    if digits.hasSuffix(".0") { digits.removeLast(2) }
    bytes.append(contentsOf: digits.utf8)
  }

  mutating func field(_ name: String, _ value: String?) {
    guard let value else { return }
    key(name)
    string(value)
  }

  mutating func field(_ name: String, _ value: Int?) {
    guard let value else { return }
    key(name)
    int(value)
  }

  mutating func field(_ name: String, _ value: Double?) {
    guard let value else { return }
    key(name)
    number(value)
  }

  mutating func field(_ name: String, _ value: Bool) {
    key(name)
    bool(value)
  }

  mutating func field(_ name: String, _ values: [String]) {
    key(name)
    beginArray()
    for value in values {
      element()
      string(value)
    }
    endArray()
  }

  /// An instant as `TaskOutput.TaskJSON` writes it: RFC 3339 in UTC, whole seconds
  /// rounded down (`2026-03-08T03:00:00+00:00`), computed here because formatting through
  /// `LocalTime` took a fifth of a 10,000-task listing.
  mutating func field(_ name: String, utc date: Date?) {
    guard let date else { return }
    key(name)
    let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
    let (days, time) = (seconds.floorDivided(by: 86_400), seconds.floorModulo(86_400))
    // Civil date from days since 1970-01-01 (Howard Hinnant's days_from_civil, inverted).
    let z = days + 719_468
    let era = z.floorDivided(by: 146_097)
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    bytes.append(UInt8(ascii: "\""))
    digits(year, 4)
    bytes.append(UInt8(ascii: "-"))
    digits(month, 2)
    bytes.append(UInt8(ascii: "-"))
    digits(day, 2)
    bytes.append(UInt8(ascii: "T"))
    digits(time / 3600, 2)
    bytes.append(UInt8(ascii: ":"))
    digits(time / 60 % 60, 2)
    bytes.append(UInt8(ascii: ":"))
    digits(time % 60, 2)
    bytes.append(contentsOf: "+00:00\"".utf8)
  }

  /// `value` (0 or more) in decimal, zero-padded to `width` digits.
  private mutating func digits(_ value: Int64, _ width: Int) {
    guard value >= 0, value < 10_000 else { return bytes.append(contentsOf: String(value).utf8) }
    var divisor: Int64 = 1
    for _ in 1..<max(width, value >= 1000 ? 4 : value >= 100 ? 3 : value >= 10 ? 2 : 1) { divisor *= 10 }
    while divisor > 0 {
      bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
      divisor /= 10
    }
  }

  private mutating func open(_ bracket: UInt8) {
    bytes.append(bracket)
    counts.append(0)
  }

  /// An empty container holds a blank line, as `JSONEncoder` prints it.
  private mutating func close(_ bracket: UInt8) {
    let count = counts.removeLast()
    bytes.append(0x0A)
    if count == 0 { bytes.append(0x0A) }
    indent(counts.count)
    bytes.append(bracket)
  }

  private mutating func member() {
    guard let count = counts.last else { return }
    if count > 0 { bytes.append(UInt8(ascii: ",")) }
    bytes.append(0x0A)
    counts[counts.count - 1] = count + 1
    indent(counts.count)
  }

  private mutating func indent(_ depth: Int) {
    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
  }

  private static func needsEscapes(_ string: String) -> Bool {
    string.utf8.withContiguousStorageIfAvailable { $0.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } }
      ?? string.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
  }

  /// `"` and `\` escaped, control characters as `\n`, `\t`... or `\u001f`, everything else
  /// (slashes, non-ASCII) as it is.
  private static func appendEscaped(_ string: String, to bytes: inout [UInt8]) {
    for byte in string.utf8 {
      switch byte {
      case 0x22: bytes.append(contentsOf: #"\""#.utf8)
      case 0x5C: bytes.append(contentsOf: #"\\"#.utf8)
      case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
      case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
      case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
      case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
      case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
      case ..<0x20:
        let hex = String(byte, radix: 16)
        bytes.append(contentsOf: (#"\u"# + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
      default: bytes.append(byte)
      }
    }
  }
}

extension Int64 {
  fileprivate func floorDivided(by divisor: Int64) -> Int64 {
    let (q, r) = quotientAndRemainder(dividingBy: divisor)
    return r < 0 ? q - 1 : q
  }

  fileprivate func floorModulo(_ divisor: Int64) -> Int64 {
    let r = self % divisor
    return r < 0 ? r + divisor : r
  }
}
